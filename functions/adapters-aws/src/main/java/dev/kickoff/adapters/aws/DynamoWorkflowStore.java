package dev.kickoff.adapters.aws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.WorkflowStore;
import dev.kickoff.core.workflow.Workflow;
import dev.kickoff.core.workflow.WorkflowDefinition;
import dev.kickoff.core.workflow.WorkflowKind;
import dev.kickoff.core.workflow.WorkflowVersion;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Heads at {@code pk=ORG#<org> sk=WF#<id>}, immutable versions at {@code pk=ORG#<org> sk=WFV#<id>#<version>}.
 * The head is small (the trigger path reads it on every request); definitions live only in versions.
 */
public final class DynamoWorkflowStore implements WorkflowStore {
    private final DynamoTable table;
    private final Function<JsonNode, WorkflowDefinition> reader;

    /** @param reader turns a stored definition document back into its parsed form */
    public DynamoWorkflowStore(DynamoTable table, Function<JsonNode, WorkflowDefinition> reader) {
        this.table = table;
        this.reader = reader;
    }

    static String headSk(long workflowId) {
        return "WF#" + Attrs.pad(workflowId);
    }

    static String versionSk(long workflowId, int version) {
        return "WFV#" + Attrs.pad(workflowId) + "#" + String.format("%08d", version);
    }

    @Override
    public void create(Workflow head, WorkflowVersion first) {
        Map<String, AttributeValue> headItem = new HashMap<>(DynamoTable.key(
                DynamoOrganizationStore.pk(head.orgId()), headSk(head.id())));
        headItem.put("type", Attrs.s("workflow"));
        headItem.put("org_id", Attrs.n(head.orgId()));
        headItem.put("workflow_id", Attrs.n(head.id()));
        headItem.put("name", Attrs.s(head.name()));
        headItem.put("kind", Attrs.s(head.kind().wireName()));
        headItem.put("latest_version", Attrs.n(head.latestVersion()));
        headItem.put("created_at", Attrs.instant(head.createdAt()));
        headItem.put("updated_at", Attrs.instant(head.updatedAt()));
        try {
            table.client().transactWriteItems(TransactWriteItemsRequest.builder().transactItems(
                    TransactWriteItem.builder().put(Put.builder().tableName(table.name()).item(headItem)
                            .conditionExpression("attribute_not_exists(pk)").build()).build(),
                    TransactWriteItem.builder().put(versionPut(head.orgId(), first)).build()).build());
        } catch (TransactionCanceledException e) {
            if (conditionFailed(e, 0)) {
                throw new DuplicateIdException("workflow " + head.id());
            }
            throw e;
        }
    }

    private Put versionPut(long orgId, WorkflowVersion version) {
        Map<String, AttributeValue> item = new HashMap<>(DynamoTable.key(DynamoOrganizationStore.pk(orgId),
                versionSk(version.workflowId(), version.version())));
        item.put("type", Attrs.s("workflow_version"));
        item.put("workflow_id", Attrs.n(version.workflowId()));
        item.put("version", Attrs.n(version.version()));
        item.put("definition", Attrs.s(Json.write(version.definition().document())));
        item.put("created_at", Attrs.instant(version.createdAt()));
        return Put.builder().tableName(table.name()).item(item).conditionExpression("attribute_not_exists(pk)").build();
    }

    @Override
    public Optional<Workflow> find(long orgId, long workflowId) {
        // Consistent: a workflow published a moment ago must be startable now.
        Map<String, AttributeValue> item = table.get(DynamoOrganizationStore.pk(orgId), headSk(workflowId), true);
        return Optional.ofNullable(item).map(DynamoWorkflowStore::head);
    }

    @Override
    public Optional<WorkflowVersion> findVersion(long orgId, long workflowId, int version) {
        Map<String, AttributeValue> item = table.get(DynamoOrganizationStore.pk(orgId),
                versionSk(workflowId, version), true);
        if (item == null) {
            return Optional.empty();
        }
        WorkflowDefinition definition = reader.apply(Json.read(Attrs.str(item, "definition")));
        return Optional.of(new WorkflowVersion(workflowId, version, definition, Attrs.time(item, "created_at")));
    }

    @Override
    public boolean addVersion(long orgId, WorkflowVersion version, String name, Instant at) {
        Update bumpHead = Update.builder().tableName(table.name())
                .key(DynamoTable.key(DynamoOrganizationStore.pk(orgId), headSk(version.workflowId())))
                .updateExpression("SET latest_version = :v, #name = :name, updated_at = :at")
                .conditionExpression("latest_version = :prev")
                .expressionAttributeNames(Map.of("#name", "name"))
                .expressionAttributeValues(Map.of(":v", Attrs.n(version.version()), ":prev",
                        Attrs.n(version.version() - 1L), ":name", Attrs.s(name), ":at", Attrs.instant(at)))
                .build();
        try {
            table.client().transactWriteItems(TransactWriteItemsRequest.builder().transactItems(
                    TransactWriteItem.builder().update(bumpHead).build(),
                    TransactWriteItem.builder().put(versionPut(orgId, version)).build()).build());
            return true;
        } catch (TransactionCanceledException e) {
            if (conditionFailed(e, 0) || conditionFailed(e, 1)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean publish(long orgId, long workflowId, int version, Instant at) {
        try {
            table.client().updateItem(UpdateItemRequest.builder().tableName(table.name())
                    .key(DynamoTable.key(DynamoOrganizationStore.pk(orgId), headSk(workflowId)))
                    .updateExpression("SET published_version = :v, updated_at = :at")
                    .conditionExpression("attribute_exists(pk) AND latest_version >= :v")
                    .expressionAttributeValues(Map.of(":v", Attrs.n(version), ":at", Attrs.instant(at)))
                    .build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Page<Workflow> list(long orgId, String cursor, int limit) {
        String pk = DynamoOrganizationStore.pk(orgId);
        var response = table.client().query(QueryRequest.builder().tableName(table.name())
                .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                .expressionAttributeValues(Map.of(":pk", Attrs.s(pk), ":prefix", Attrs.s("WF#")))
                .scanIndexForward(false)
                .limit(limit)
                .exclusiveStartKey(Cursors.decodeTable(cursor, pk, "WF#"))
                .build());
        List<Workflow> items = new ArrayList<>();
        for (Map<String, AttributeValue> item : response.items()) {
            items.add(head(item));
        }
        return new Page<>(items, response.hasLastEvaluatedKey() ? Cursors.encode(response.lastEvaluatedKey()) : null);
    }

    static Workflow head(Map<String, AttributeValue> item) {
        Long published = Attrs.numOrNull(item, "published_version");
        return new Workflow(Attrs.num(item, "workflow_id"), Attrs.num(item, "org_id"), Attrs.str(item, "name"),
                WorkflowKind.fromWire(Attrs.str(item, "kind")).orElse(WorkflowKind.STANDARD),
                (int) Attrs.num(item, "latest_version"), published == null ? null : published.intValue(),
                Attrs.time(item, "created_at"), Attrs.time(item, "updated_at"));
    }

    static boolean conditionFailed(TransactionCanceledException e, int index) {
        List<CancellationReason> reasons = e.cancellationReasons();
        return reasons.size() > index && "ConditionalCheckFailed".equals(reasons.get(index).code());
    }
}
