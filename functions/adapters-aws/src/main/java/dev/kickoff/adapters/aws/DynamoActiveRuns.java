package dev.kickoff.adapters.aws;

import dev.kickoff.core.port.ActiveRuns;
import dev.kickoff.core.run.RunLifecycle;
import dev.kickoff.core.run.RunStatus;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The active runs on DynamoDB: the sparse, keys-only index {@code gsi2} ({@code gsi2pk = ACTIVE#<0..63>} from the
 * run ID, {@code gsi2sk = <listed at, fixed width>#<run ID, 16 digits>}), which holds a run from the write that lists
 * it ({@link DynamoRunStore#watch}, on a redelivery or a dead letter) to the write that ends it. Queries are eventually
 * consistent (GSIs offer nothing else), so every entry is read back from the table, consistently, before anything is
 * decided.
 */
public final class DynamoActiveRuns implements ActiveRuns {
    /** What the sweeper reads of a run item: small, whatever the size of its input and steps. */
    private static final String SNAPSHOT =
            "run_id, org_id, #status, created_at, updated_at, lease_until, recoveries, recovered_at, gsi2pk";

    private final DynamoTable table;

    public DynamoActiveRuns(DynamoTable table) {
        this.table = table;
    }

    @Override
    public int partitions() {
        return RunItems.ACTIVE_PARTITIONS;
    }

    @Override
    public Page page(int partition, Instant createdBefore, String after, int limit) {
        if (partition < 0 || partition >= partitions()) {
            throw new IllegalArgumentException("no active-runs partition " + partition);
        }
        String pk = RunItems.activePartition(partition);
        QueryRequest.Builder query = QueryRequest.builder().tableName(table.name())
                .indexName(RunItems.ACTIVE_INDEX)
                // A bare timestamp sorts before every key that starts with it: strictly older runs only.
                .keyConditionExpression("gsi2pk = :pk AND gsi2sk < :cutoff")
                .expressionAttributeValues(Map.of(":pk", Attrs.s(pk), ":cutoff", Attrs.s(Attrs.sortable(createdBefore))))
                .limit(limit);
        if (after != null) {
            query.exclusiveStartKey(Map.of("gsi2pk", Attrs.s(pk), "gsi2sk", Attrs.s(after),
                    DynamoTable.PK, Attrs.s(RunItems.pk(runIdOf(after))), DynamoTable.SK, Attrs.s(RunItems.SK)));
        }
        QueryResponse response = table.client().query(query.build());
        List<Entry> entries = new ArrayList<>();
        for (Map<String, AttributeValue> item : response.items()) {
            String position = Attrs.str(item, "gsi2sk");
            entries.add(new Entry(runIdOf(position), position));
        }
        return new Page(entries, response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty());
    }

    private static long runIdOf(String position) {
        int hash = position == null ? -1 : position.lastIndexOf('#');
        if (hash < 0) {
            throw new IllegalArgumentException("not an active-runs position: " + position);
        }
        return Long.parseLong(position.substring(hash + 1));
    }

    @Override
    public Optional<Snapshot> read(long runId) {
        Map<String, AttributeValue> item = table.client().getItem(GetItemRequest.builder().tableName(table.name())
                .key(DynamoTable.key(RunItems.pk(runId), RunItems.SK)).consistentRead(true)
                .projectionExpression(SNAPSHOT).expressionAttributeNames(Map.of("#status", "status")).build()).item();
        if (item == null || item.isEmpty() || !item.containsKey("status")) {
            return Optional.empty();
        }
        Long lease = Attrs.numOrNull(item, "lease_until");
        return Optional.of(new Snapshot(runId, Attrs.num(item, "org_id"),
                RunStatus.fromWire(Attrs.str(item, "status")).orElseThrow(), Attrs.time(item, "created_at"),
                Attrs.time(item, "updated_at"), lease == null ? null : Instant.ofEpochMilli(lease),
                (int) Attrs.num(item, "recoveries"), Attrs.time(item, "recovered_at"), item.containsKey("gsi2pk")));
    }

    @Override
    public boolean recordRecovery(Snapshot seen, Instant at) {
        Map<String, AttributeValue> values = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        values.put(":seenStatus", Attrs.s(seen.status().wireName()));
        values.put(":next", Attrs.n(seen.recoveries() + 1L));
        values.put(":at", Attrs.instant(at));
        // QUIET, "has not moved": every write a worker makes changes the status, updated_at or the lease, and every
        // recovery changes the count; a concurrent sweep or worker therefore fails this condition.
        StringBuilder quiet = new StringBuilder("#status = :seenStatus");
        quiet.append(same("updated_at", seen.updatedAt() == null ? null : Attrs.instant(seen.updatedAt()), values));
        quiet.append(same("lease_until", seen.leaseUntil() == null ? null : Attrs.n(seen.leaseUntil().toEpochMilli()),
                values));
        quiet.append(same("recoveries", seen.recoveries() == 0 ? null : Attrs.n(seen.recoveries()), values));
        String condition = RunConditions.of(RunLifecycle.Event.RECOVER, names, values,
                guard -> guard == RunLifecycle.Guard.QUIET ? quiet.toString() : RunConditions.standard(guard));
        return update(seen.runId(), "SET recoveries = :next, recovered_at = :at", condition, names, values);
    }

    /** {@code AND name = :name}, or {@code AND attribute_not_exists(name)} when the value seen was absent. */
    private static String same(String name, AttributeValue seen, Map<String, AttributeValue> values) {
        if (seen == null) {
            return " AND attribute_not_exists(" + name + ")";
        }
        values.put(":" + name, seen);
        return " AND " + name + " = :" + name;
    }

    @Override
    public boolean unlist(long runId) {
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        String condition = RunConditions.of(RunLifecycle.Event.UNLIST, names, values);
        return update(runId, "REMOVE gsi2pk, gsi2sk", condition, names, values);
    }

    /** One conditional UpdateItem of the run's item: false when the condition does not hold. */
    private boolean update(long runId, String update, String condition, Map<String, String> names,
                           Map<String, AttributeValue> values) {
        try {
            table.client().updateItem(UpdateItemRequest.builder().tableName(table.name())
                    .key(DynamoTable.key(RunItems.pk(runId), RunItems.SK))
                    .updateExpression(update)
                    .conditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }
}
