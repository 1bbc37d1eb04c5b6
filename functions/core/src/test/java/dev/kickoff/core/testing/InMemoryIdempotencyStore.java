package dev.kickoff.core.testing;

import dev.kickoff.core.port.IdempotencyStore;
import dev.kickoff.core.run.IdempotencyRecord;
import dev.kickoff.core.run.Run;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The IdempotencyStore contract in memory; the DynamoDB adapter is tested against DynamoDB Local. */
public final class InMemoryIdempotencyStore implements IdempotencyStore {
    private final InMemoryRunStore runs;
    public final Map<String, IdempotencyRecord> records = new HashMap<>();

    public InMemoryIdempotencyStore(InMemoryRunStore runs) {
        this.runs = runs;
    }

    private static String key(long org, long wf, String key) {
        return org + ":" + wf + ":" + key;
    }

    @Override
    public synchronized Optional<IdempotencyRecord> find(long orgId, long workflowId, String key, Instant now) {
        return Optional.ofNullable(records.get(key(orgId, workflowId, key))).filter(r -> r.liveAt(now));
    }

    @Override
    public synchronized CreateOutcome createWithRun(IdempotencyRecord record, Run run, Instant now) {
        String k = key(record.orgId(), record.workflowId(), record.key());
        IdempotencyRecord current = records.get(k);
        if (current != null && current.liveAt(now)) {
            return CreateOutcome.KEY_TAKEN;
        }
        if (runs.runs.containsKey(run.id())) {
            return CreateOutcome.RUN_ID_TAKEN;
        }
        runs.create(run);
        records.put(k, record);
        return CreateOutcome.CREATED;
    }

    @Override
    public synchronized void release(IdempotencyRecord record) {
        records.remove(key(record.orgId(), record.workflowId(), record.key()), record);
    }
}
