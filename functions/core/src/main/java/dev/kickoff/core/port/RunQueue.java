package dev.kickoff.core.port;

/** Hands runs to workers (SQS in production). Delivery is at least once; the run store makes it exactly-once in effect. */
public interface RunQueue {
    void enqueue(long orgId, long runId);
}
