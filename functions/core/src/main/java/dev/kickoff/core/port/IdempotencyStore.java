package dev.kickoff.core.port;

import dev.kickoff.core.run.IdempotencyRecord;

import java.time.Instant;
import java.util.Optional;

/**
 * Idempotency keys and the runs they name. A key is claimed before its run is created, by one conditional write
 * that only one of any number of concurrent requests wins; the winner then queues and stores its run like any other
 * (queue first), and the others answer with that run once it is stored.
 */
public interface IdempotencyStore {
    /** The key's record if it is live at {@code now} (strongly consistent); an expired record is absent. */
    Optional<IdempotencyRecord> find(long orgId, long workflowId, String key, Instant now);

    /** Stores {@code record} unless a record live at {@code now} holds the key; false when one does. */
    boolean claim(IdempotencyRecord record, Instant now);

    /**
     * Points the key at another run, if it still names {@code fromRunId}: after an ID collision of the run it was
     * claimed for, or to take over a key whose run was never stored (its creator died). False when the key names
     * another run by now.
     */
    boolean reassign(IdempotencyRecord record, long fromRunId);

    /** Frees the key if it still names {@code record.runId()} (that run never started, so a retry must make a new one). */
    void release(IdempotencyRecord record);

    /** For deployments and tests that do not wire a store: any use is a programming error. */
    IdempotencyStore NONE = new IdempotencyStore() {
        @Override
        public Optional<IdempotencyRecord> find(long orgId, long workflowId, String key, Instant now) {
            throw new IllegalStateException("no idempotency store is configured");
        }

        @Override
        public boolean claim(IdempotencyRecord record, Instant now) {
            throw new IllegalStateException("no idempotency store is configured");
        }

        @Override
        public boolean reassign(IdempotencyRecord record, long fromRunId) {
            throw new IllegalStateException("no idempotency store is configured");
        }

        @Override
        public void release(IdempotencyRecord record) {
            throw new IllegalStateException("no idempotency store is configured");
        }
    };
}
