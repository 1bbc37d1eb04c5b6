package dev.kickoff.adapters.aws;

import dev.kickoff.core.port.IdempotencyStore;
import dev.kickoff.core.run.IdempotencyRecord;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An idempotency key is one item, {@code pk=IDEM#<org>#<workflow>#<key> sk=IDEM}, claimed for a run ID before that
 * run is queued and stored, by one PutItem conditioned on no live record holding the key
 * ({@code attribute_not_exists(pk) OR expires_at <= :now}): of concurrent requests with one key, one claims it and
 * creates the run, the others read the key and answer with that run. {@code expires_at} (epoch seconds) is also the
 * table's TTL attribute, but deletion by TTL is late (and never happens in DynamoDB Local on a table with a GSI), so
 * reads and the write condition both treat a past {@code expires_at} as absent.
 */
public final class DynamoIdempotencyStore implements IdempotencyStore {
    static final String SK = "IDEM";

    private final DynamoTable table;

    public DynamoIdempotencyStore(DynamoTable table) {
        this.table = table;
    }

    static String pk(long orgId, long workflowId, String key) {
        return "IDEM#" + orgId + "#" + workflowId + "#" + key;
    }

    @Override
    public Optional<IdempotencyRecord> find(long orgId, long workflowId, String key, Instant now) {
        Map<String, AttributeValue> item = table.get(pk(orgId, workflowId, key), SK, true);
        if (item == null) {
            return Optional.empty();
        }
        IdempotencyRecord record = new IdempotencyRecord(orgId, workflowId, key, Attrs.str(item, "fingerprint"),
                Attrs.num(item, "run_id"), Attrs.time(item, "created_at"),
                Instant.ofEpochSecond(Attrs.num(item, "expires_at")));
        return record.liveAt(now) ? Optional.of(record) : Optional.empty();
    }

    private static Map<String, AttributeValue> item(IdempotencyRecord record) {
        Map<String, AttributeValue> item = new HashMap<>(DynamoTable.key(
                pk(record.orgId(), record.workflowId(), record.key()), SK));
        item.put("type", Attrs.s("idempotency"));
        item.put("org_id", Attrs.n(record.orgId()));
        item.put("workflow_id", Attrs.n(record.workflowId()));
        item.put("idempotency_key", Attrs.s(record.key()));
        item.put("fingerprint", Attrs.s(record.fingerprint()));
        item.put("run_id", Attrs.n(record.runId()));
        item.put("created_at", Attrs.instant(record.createdAt()));
        item.put("expires_at", Attrs.n(record.expiresAt().getEpochSecond()));
        return item;
    }

    @Override
    public boolean claim(IdempotencyRecord record, Instant now) {
        Map<String, AttributeValue> item = item(record);
        try {
            table.client().putItem(PutItemRequest.builder().tableName(table.name()).item(item)
                    .conditionExpression("attribute_not_exists(pk) OR expires_at <= :now")
                    .expressionAttributeValues(Map.of(":now", Attrs.n(now.getEpochSecond())))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            // An SDK retry of a claim that did land finds its own record (the same run ID): that is this claim.
            return e.hasItem() && item.get("run_id").equals(e.item().get("run_id"))
                    && item.get("fingerprint").equals(e.item().get("fingerprint"));
        }
    }

    @Override
    public boolean reassign(IdempotencyRecord record, long fromRunId) {
        Map<String, AttributeValue> item = item(record);
        try {
            table.client().putItem(PutItemRequest.builder().tableName(table.name()).item(item)
                    .conditionExpression("run_id = :from")
                    .expressionAttributeValues(Map.of(":from", Attrs.n(fromRunId)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return e.hasItem() && item.get("run_id").equals(e.item().get("run_id"));  // an SDK retry of itself
        }
    }

    @Override
    public void release(IdempotencyRecord record) {
        try {
            table.client().deleteItem(DeleteItemRequest.builder().tableName(table.name())
                    .key(DynamoTable.key(pk(record.orgId(), record.workflowId(), record.key()), SK))
                    .conditionExpression("run_id = :run")
                    .expressionAttributeValues(Map.of(":run", Attrs.n(record.runId())))
                    .build());
        } catch (ConditionalCheckFailedException e) {
            // the key already names another run (or nothing): leave it
        }
    }
}
