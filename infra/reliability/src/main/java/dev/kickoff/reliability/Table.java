package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.emulators.AwsEndpoints;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The stack's table, read directly from its DynamoDB Local while it runs (the address is in the stack's
 * invoke-endpoint.json): the ground truth for "every run is terminal", "one run per idempotency key" and "nothing
 * written by a refused request". Read-only: the suite never writes here.
 */
final class Table implements AutoCloseable {
    /** A run item, as far as the suite needs it. */
    record RunRow(long runId, long orgId, long workflowId, String status, JsonNode input, JsonNode output, String error,
                  Long caseId, int attempts, JsonNode steps) {
        String tag() {
            return input == null ? null : input.path("tag").asText(null);
        }

        boolean terminal() {
            return "completed".equals(status) || "failed".equals(status);
        }
    }

    /** A case item. */
    record CaseRow(long caseId, long orgId, long workflowId, String status, JsonNode attributes, Long runId) {
        String tag() {
            return attributes == null ? null : attributes.path("tag").asText(null);
        }
    }

    /** What changed in an item between two snapshots ({@code before} or {@code after} null: added or removed). */
    record Change(String key, Map<String, AttributeValue> before, Map<String, AttributeValue> after) {
        Map<String, AttributeValue> item() {
            return after != null ? after : before;
        }

        String kind() {
            return before == null ? "added" : after == null ? "removed" : "changed";
        }

        String type() {
            return str(item(), "type");
        }
    }

    private final DynamoDbClient dynamo;
    private final String name;

    Table(Stack stack) {
        AwsEndpoints endpoints = AwsEndpoints.local(URI.create(stack.dynamoEndpoint()), URI.create("http://127.0.0.1:1"));
        this.dynamo = endpoints.dynamoDbClient();
        this.name = stack.tableName();
    }

    List<Map<String, AttributeValue>> scan(Predicate<Map<String, AttributeValue>> keep) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            var page = dynamo.scan(ScanRequest.builder().tableName(name).consistentRead(true).exclusiveStartKey(start).build());
            for (var item : page.items()) {
                if (keep.test(item)) {
                    out.add(item);
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    List<RunRow> runs() {
        List<RunRow> rows = new ArrayList<>();
        for (var item : scan(i -> "run".equals(str(i, "type")))) {
            rows.add(new RunRow(num(item, "run_id"), num(item, "org_id"), num(item, "workflow_id"), str(item, "status"),
                    Json.read(str(item, "input")), Json.read(str(item, "output")), str(item, "error"),
                    item.containsKey("case_id") ? num(item, "case_id") : null,
                    item.containsKey("attempts") ? (int) num(item, "attempts") : 0, Json.read(str(item, "steps"))));
        }
        return rows;
    }

    List<CaseRow> cases() {
        List<CaseRow> rows = new ArrayList<>();
        for (var item : scan(i -> "case".equals(str(i, "type")))) {
            rows.add(new CaseRow(num(item, "case_id"), num(item, "org_id"), num(item, "workflow_id"), str(item, "status"),
                    Json.read(str(item, "attributes")), item.containsKey("run_id") ? num(item, "run_id") : null));
        }
        return rows;
    }

    /** Every item the predicate keeps, by {@code pk|sk}. */
    Map<String, Map<String, AttributeValue>> snapshot(Predicate<Map<String, AttributeValue>> keep) {
        Map<String, Map<String, AttributeValue>> out = new LinkedHashMap<>();
        for (var item : scan(keep)) {
            out.put(key(item), item);
        }
        return out;
    }

    static List<Change> diff(Map<String, Map<String, AttributeValue>> before, Map<String, Map<String, AttributeValue>> after) {
        List<Change> changes = new ArrayList<>();
        before.forEach((k, v) -> {
            var now = after.get(k);
            if (!Objects.equals(v, now)) {
                changes.add(new Change(k, v, now));
            }
        });
        after.forEach((k, v) -> {
            if (!before.containsKey(k)) {
                changes.add(new Change(k, null, v));
            }
        });
        return changes;
    }

    /** Whether an item belongs to an organization: its org_id, or its key naming it. */
    static boolean ofOrg(Map<String, AttributeValue> item, long org) {
        AttributeValue id = item.get("org_id");
        if (id != null && id.n() != null && id.n().equals(Long.toString(org))) {
            return true;
        }
        String pk = str(item, "pk");
        return pk != null && (pk.equals("ORG#" + org) || pk.startsWith("IDEM#" + org + "#"));
    }

    static String key(Map<String, AttributeValue> item) {
        return str(item, "pk") + "|" + str(item, "sk");
    }

    static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    static long num(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    @Override
    public void close() {
        dynamo.close();
    }
}
