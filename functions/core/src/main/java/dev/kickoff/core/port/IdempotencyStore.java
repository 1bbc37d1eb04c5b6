package dev.kickoff.core.port;

import dev.kickoff.core.run.IdempotencyRecord;
import dev.kickoff.core.run.Run;

import java.time.Instant;
import java.util.Optional;

/**
 * Idempotency keys and the runs they created. The record and its run are written together, atomically, and only
 * while no live record holds the key: of any number of concurrent requests with one key, exactly one creates a run.
 */
public interface IdempotencyStore {
    /** The key's record if it is live at {@code now} (strongly consistent); an expired record is absent. */
    Optional<IdempotencyRecord> find(long orgId, long workflowId, String key, Instant now);

    /** Stores {@code record} and {@code run} in one transaction, unless a record live at {@code now} holds the key. */
    CreateOutcome createWithRun(IdempotencyRecord record, Run run, Instant now);

    /** Frees the key if it still names {@code record.runId()} (that run never started, so a retry must make a new one). */
    void release(IdempotencyRecord record);

    enum CreateOutcome {
        CREATED,
        /** A live record holds the key, or another request is writing one right now: read it again. */
        KEY_TAKEN,
        /** The run's ID is taken (an ID collision): retry with a fresh ID. */
        RUN_ID_TAKEN
    }

    /** For deployments and tests that do not wire a store: any use is a programming error. */
    IdempotencyStore NONE = new IdempotencyStore() {
        @Override
        public Optional<IdempotencyRecord> find(long orgId, long workflowId, String key, Instant now) {
            throw new IllegalStateException("no idempotency store is configured");
        }

        @Override
        public CreateOutcome createWithRun(IdempotencyRecord record, Run run, Instant now) {
            throw new IllegalStateException("no idempotency store is configured");
        }

        @Override
        public void release(IdempotencyRecord record) {
            throw new IllegalStateException("no idempotency store is configured");
        }
    };
}
