package dev.kickoff.adapters.aws;

import dev.kickoff.core.cases.Case;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.CaseStore;
import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Cases on DynamoDB. Every write that concerns a case and its run together is one TransactWriteItems, so no
 * reader (nor the table's stream) ever sees one half: creation (case + pending run), a failed run's end
 * (run failed + case in Error), and a {@code set_case} write
 * (case change + a check that the writer still holds the run's lease).
 */
public final class DynamoCaseStore implements CaseStore {
    private static final Map<String, String> NAMES = Map.of("#status", "status", "#attributes", "attributes");

    private final DynamoTable table;
    private final DynamoRunStore runs;

    public DynamoCaseStore(DynamoTable table, DynamoRunStore runs) {
        this.table = table;
        this.runs = runs;
    }

    @Override
    public void create(Case kase, Run run) {
        Put casePut = Put.builder().tableName(table.name()).item(CaseItems.toItem(kase))
                .conditionExpression("attribute_not_exists(pk)").build();
        // The run's message is already on the queue (RunLauncher): it is not listed for the sweeper.
        Put runPut = Put.builder().tableName(table.name()).item(RunItems.toItem(run))
                .conditionExpression("attribute_not_exists(pk)").build();
        try {
            table.client().transactWriteItems(TransactWriteItemsRequest.builder()
                    .transactItems(TransactWriteItem.builder().put(casePut).build(),
                            TransactWriteItem.builder().put(runPut).build())
                    // An SDK retry of a transaction that did succeed is then answered as a success, not as a
                    // duplicate ID (which would make the caller store a second case).
                    .clientRequestToken("c" + kase.id() + "r" + run.id())
                    .build());
        } catch (TransactionCanceledException e) {
            if (DynamoWorkflowStore.conditionFailed(e, 0) || DynamoWorkflowStore.conditionFailed(e, 1)) {
                throw new DuplicateIdException("case " + kase.id() + " or run " + run.id());
            }
            throw e;
        }
    }

    @Override
    public Optional<Case> find(long caseId) {
        return Optional.ofNullable(table.get(CaseItems.pk(caseId), CaseItems.SK, true)).map(CaseItems::fromItem);
    }

    @Override
    public Page list(long orgId, long workflowId, String status, String cursor, int limit) {
        String partition = CaseItems.gsi1pk(orgId, workflowId, status);
        var response = table.client().query(QueryRequest.builder().tableName(table.name())
                .indexName(CaseItems.INDEX)
                .keyConditionExpression("gsi1pk = :pk")
                .expressionAttributeValues(Map.of(":pk", Attrs.s(partition)))
                .scanIndexForward(false)
                .limit(limit)
                .exclusiveStartKey(Cursors.decodeIndex(cursor, partition, "CASE#"))
                .build());
        List<Case> items = new ArrayList<>();
        for (Map<String, AttributeValue> item : response.items()) {
            items.add(CaseItems.fromItem(item));
        }
        return new Page(items, response.hasLastEvaluatedKey() ? Cursors.encode(response.lastEvaluatedKey()) : null);
    }

    @Override
    public WriteResult write(Case updated, Run leaseHolder, String writeKey) {
        ConditionCheck leaseHeld = ConditionCheck.builder().tableName(table.name())
                .key(DynamoTable.key(RunItems.pk(leaseHolder.id()), RunItems.SK))
                .conditionExpression("#status = :running AND lease_owner = :owner")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(Map.of(
                        ":running", Attrs.s(RunStatus.IN_PROGRESS.wireName()),
                        ":owner", Attrs.s(leaseHolder.leaseOwner())))
                .build();
        Update change = Update.builder().tableName(table.name())
                .key(DynamoTable.key(CaseItems.pk(updated.id()), CaseItems.SK))
                .updateExpression("SET #status = :status, #attributes = :attributes, updated_at = :updated, "
                        + "gsi1pk = :gsi1pk, last_write = :key")
                .conditionExpression("attribute_exists(pk) AND (attribute_not_exists(last_write) OR last_write <> :key)")
                .expressionAttributeNames(NAMES)
                .expressionAttributeValues(Map.of(
                        ":status", Attrs.s(updated.status()),
                        ":attributes", Attrs.s(Json.write(updated.attributes())),
                        ":updated", Attrs.instant(updated.updatedAt()),
                        ":gsi1pk", Attrs.s(CaseItems.gsi1pk(updated.orgId(), updated.workflowId(), updated.status())),
                        ":key", Attrs.s(writeKey)))
                .build();
        try {
            table.client().transactWriteItems(TransactWriteItemsRequest.builder().transactItems(
                    TransactWriteItem.builder().conditionCheck(leaseHeld).build(),
                    TransactWriteItem.builder().update(change).build()).build());
            return WriteResult.WRITTEN;
        } catch (TransactionCanceledException e) {
            if (DynamoWorkflowStore.conditionFailed(e, 0)) {
                return WriteResult.LEASE_LOST;
            }
            if (DynamoWorkflowStore.conditionFailed(e, 1)) {
                return find(updated.id()).isPresent() ? WriteResult.ALREADY_WRITTEN : WriteResult.CASE_MISSING;
            }
            throw e;
        }
    }

    @Override
    public RunStore.WriteResult finishFailedRun(Run failed) {
        return withCaseInError(runs.finishRequest(failed), failed.orgId(), failed.workflowId(), failed.caseId(),
                failed.completedAt(), () -> runs.finish(failed));
    }

    @Override
    public RunStore.WriteResult cancelRun(Run run, dev.kickoff.core.run.RunError error, Instant at) {
        return withCaseInError(runs.cancelRequest(run.id(), error, at), run.orgId(), run.workflowId(), run.caseId(),
                at, () -> runs.cancel(run.id(), error, at));
    }

    /**
     * Applies the run's conditional write and parks its case in Error, in one transaction. Refused when the run's
     * condition fails (with the run as it is now); a case that does not exist (it always should) does not stop the
     * run from ending.
     */
    private RunStore.WriteResult withCaseInError(UpdateItemRequest runWrite, long orgId, long workflowId, long caseId,
                                                 Instant at, java.util.function.Supplier<RunStore.WriteResult> runAlone) {
        Update park = Update.builder().tableName(table.name())
                .key(DynamoTable.key(CaseItems.pk(caseId), CaseItems.SK))
                .updateExpression("SET #status = :error, updated_at = :at, gsi1pk = :gsi1pk")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(Map.of(
                        ":error", Attrs.s(Case.ERROR),
                        ":at", Attrs.instant(at.truncatedTo(ChronoUnit.MILLIS)),
                        ":gsi1pk", Attrs.s(CaseItems.gsi1pk(orgId, workflowId, Case.ERROR))))
                .build();
        try {
            table.client().transactWriteItems(TransactWriteItemsRequest.builder().transactItems(
                    TransactWriteItem.builder().update(transactional(runWrite)).build(),
                    TransactWriteItem.builder().update(park).build()).build());
            return new RunStore.WriteResult.Written();
        } catch (TransactionCanceledException e) {
            if (DynamoWorkflowStore.conditionFailed(e, 0)) {
                var reason = e.cancellationReasons().getFirst();
                return new RunStore.WriteResult.Refused(reason.hasItem() && !reason.item().isEmpty()
                        ? RunItems.fromItem(reason.item()) : null);
            }
            if (DynamoWorkflowStore.conditionFailed(e, 1)) {
                return runAlone.get();
            }
            throw e;
        }
    }

    private static Update transactional(UpdateItemRequest request) {
        return Update.builder().tableName(request.tableName()).key(request.key())
                .updateExpression(request.updateExpression())
                .conditionExpression(request.conditionExpression())
                .expressionAttributeNames(request.hasExpressionAttributeNames() ? request.expressionAttributeNames() : null)
                .expressionAttributeValues(request.hasExpressionAttributeValues() ? request.expressionAttributeValues() : null)
                .returnValuesOnConditionCheckFailure(
                        software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }
}
