package dev.kickoff.adapters.aws;

import dev.kickoff.core.port.IdempotencyStore;
import dev.kickoff.core.run.IdempotencyRecord;
import dev.kickoff.core.run.Run;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An idempotency key is one item, {@code pk=IDEM#<org>#<workflow>#<key> sk=IDEM}, written in the same
 * TransactWriteItems as the run it created, on condition that no live record holds the key
 * ({@code attribute_not_exists(pk) OR expires_at <= :now}): concurrent requests with one key create one run.
 * {@code expires_at} (epoch seconds) is also the table's TTL attribute, but deletion by TTL is late (and never
 * happens in DynamoDB Local on a table with a GSI), so reads and the write condition both treat a past
 * {@code expires_at} as absent.
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

    @Override
    public CreateOutcome createWithRun(IdempotencyRecord record, Run run, Instant now) {
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
        try {
            // The token makes an SDK retry of a transaction that did commit a success, not "key taken". It is drawn
            // per call: the SDK's retries reuse this request (and token); another call is another transaction.
            table.client().transactWriteItems(TransactWriteItemsRequest.builder()
                    .clientRequestToken(java.util.UUID.randomUUID().toString())
                    .transactItems(
                    TransactWriteItem.builder().put(Put.builder().tableName(table.name()).item(item)
                            .conditionExpression("attribute_not_exists(pk) OR expires_at <= :now")
                            .expressionAttributeValues(Map.of(":now", Attrs.n(now.getEpochSecond())))
                            .build()).build(),
                    TransactWriteItem.builder().put(Put.builder().tableName(table.name()).item(RunItems.toItem(run))
                            .conditionExpression("attribute_not_exists(pk)").build()).build()).build());
            return CreateOutcome.CREATED;
        } catch (TransactionCanceledException e) {
            List<CancellationReason> reasons = e.cancellationReasons();
            if (code(reasons, 0, "ConditionalCheckFailed") || reasons.stream()
                    .anyMatch(r -> "TransactionConflict".equals(r.code()))) {
                return CreateOutcome.KEY_TAKEN;
            }
            if (code(reasons, 1, "ConditionalCheckFailed")) {
                return CreateOutcome.RUN_ID_TAKEN;
            }
            throw e;
        }
    }

    private static boolean code(List<CancellationReason> reasons, int index, String code) {
        return reasons.size() > index && code.equals(reasons.get(index).code());
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
