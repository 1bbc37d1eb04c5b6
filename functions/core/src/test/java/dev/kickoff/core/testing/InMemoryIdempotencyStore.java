package dev.kickoff.core.testing;

import dev.kickoff.core.port.IdempotencyStore;
import dev.kickoff.core.run.IdempotencyRecord;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The IdempotencyStore contract in memory; the DynamoDB adapter is tested against DynamoDB Local. */
public final class InMemoryIdempotencyStore implements IdempotencyStore {
    public final Map<String, IdempotencyRecord> records = new HashMap<>();

    private static String key(long org, long wf, String key) {
        return org + ":" + wf + ":" + key;
    }

    private static String key(IdempotencyRecord record) {
        return key(record.orgId(), record.workflowId(), record.key());
    }

    @Override
    public synchronized Optional<IdempotencyRecord> find(long orgId, long workflowId, String key, Instant now) {
        return Optional.ofNullable(records.get(key(orgId, workflowId, key))).filter(r -> r.liveAt(now));
    }

    @Override
    public synchronized boolean claim(IdempotencyRecord record, Instant now) {
        IdempotencyRecord current = records.get(key(record));
        if (current != null && current.liveAt(now)) {
            return false;
        }
        records.put(key(record), record);
        return true;
    }

    @Override
    public synchronized boolean reassign(IdempotencyRecord record, long fromRunId) {
        IdempotencyRecord current = records.get(key(record));
        if (current == null || current.runId() != fromRunId) {
            return false;
        }
        records.put(key(record), record);
        return true;
    }

    @Override
    public synchronized void release(IdempotencyRecord record) {
        IdempotencyRecord current = records.get(key(record));
        if (current != null && current.runId() == record.runId()) {
            records.remove(key(record));
        }
    }
}
