package dev.kickoff.adapters.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.ScheduleStore;
import dev.kickoff.core.schedule.Schedule;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
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

/**
 * Managed schedules on DynamoDB. A workflow's schedules are one item collection, {@code pk = SCHEDULES#<org>#<workflow>},
 * {@code sk = SCHED#<schedule, 16 digits>}, with a counter item ({@code sk = COUNT}) that the create and delete
 * transactions keep exact, so the per-workflow limit holds under concurrent creates. Each workflow has its own
 * partition: a fire rewrites its schedule, and an organization with thousands of schedules does not put every fire's
 * write on one key.
 *
 * <p>A schedule waiting for a fire is in the wake-up index ({@code gsi3}, shared with long waits, under keys of its
 * own): {@code wake_pk = SCHED#<schedule ID mod 64>}, {@code wake_sk = <fire time, fixed width>#<schedule, 16
 * digits>#<org>#<workflow>}. The write that moves it to its next fire rewrites them (an index delete and put); pausing
 * it, or its last fire, removes them.
 */
public final class DynamoScheduleStore implements ScheduleStore {
    static final String COUNT_SK = "COUNT";
    /** Index partitions, as for long waits: a partition key takes about 1,000 writes a second, a fire two of them. */
    static final int PARTITIONS = 64;

    private final DynamoTable table;

    public DynamoScheduleStore(DynamoTable table) {
        this.table = table;
    }

    static String pk(long orgId, long workflowId) {
        return "SCHEDULES#" + orgId + "#" + workflowId;
    }

    static String sk(long scheduleId) {
        return "SCHED#" + Attrs.pad(scheduleId);
    }

    static String wakePartition(int partition) {
        return "SCHED#" + partition;
    }

    static String wakeSortKey(Instant fireTime, long scheduleId, long orgId, long workflowId) {
        return Attrs.sortable(fireTime) + "#" + Attrs.pad(scheduleId) + "#" + orgId + "#" + workflowId;
    }

    @Override
    public boolean create(Schedule s, int maxPerWorkflow) {
        Map<String, AttributeValue> item = new HashMap<>(DynamoTable.key(pk(s.orgId(), s.workflowId()), sk(s.id())));
        item.put("type", Attrs.s("schedule"));
        item.put("schedule_id", Attrs.n(s.id()));
        item.put("org_id", Attrs.n(s.orgId()));
        item.put("workflow_id", Attrs.n(s.workflowId()));
        item.put("expression", Attrs.s(s.expression()));
        item.put("timezone", Attrs.s(s.timezone()));
        item.put("input", Attrs.s(Json.write(s.input())));
        if (s.description() != null) {
            item.put("description", Attrs.s(s.description()));
        }
        item.put("status", Attrs.s(s.status().wireName()));
        item.put("anchor", Attrs.n(s.anchor().toEpochMilli()));
        item.put("created_at", Attrs.instant(s.createdAt()));
        item.put("updated_at", Attrs.instant(s.updatedAt()));
        item.put("version", Attrs.n(s.version()));
        item.put("recent_fires", Attrs.s("[]"));
        if (s.nextFireAt() != null) {
            item.put("next_fire_at", Attrs.n(s.nextFireAt().toEpochMilli()));
            item.put("wake_pk", Attrs.s(wakePartition(partition(s.id()))));
            item.put("wake_sk", Attrs.s(wakeSortKey(s.nextFireAt(), s.id(), s.orgId(), s.workflowId())));
        }
        TransactWriteItem count = TransactWriteItem.builder().update(Update.builder().tableName(table.name())
                .key(DynamoTable.key(pk(s.orgId(), s.workflowId()), COUNT_SK))
                .updateExpression("ADD #n :one SET #type = :type")
                .conditionExpression("attribute_not_exists(#n) OR #n < :max")
                .expressionAttributeNames(Attrs.names("ADD #n SET #type"))
                .expressionAttributeValues(Map.of(":one", Attrs.n(1), ":max", Attrs.n(maxPerWorkflow),
                        ":type", Attrs.s("schedule_count")))
                .build()).build();
        TransactWriteItem put = TransactWriteItem.builder().put(Put.builder().tableName(table.name()).item(item)
                .conditionExpression("attribute_not_exists(pk)").build()).build();
        try {
            table.client().transactWriteItems(TransactWriteItemsRequest.builder().transactItems(count, put).build());
            return true;
        } catch (TransactionCanceledException e) {
            if (failed(e, 0)) {
                return false;
            }
            if (failed(e, 1)) {
                throw new DuplicateIdException("schedule " + s.id());
            }
            throw e;
        }
    }

    @Override
    public Optional<Schedule> find(long orgId, long workflowId, long scheduleId) {
        return Optional.ofNullable(table.get(pk(orgId, workflowId), sk(scheduleId), true)).map(DynamoScheduleStore::read);
    }

    @Override
    public List<Schedule> list(long orgId, long workflowId) {
        List<Schedule> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse page = table.client().query(QueryRequest.builder().tableName(table.name())
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":pk", Attrs.s(pk(orgId, workflowId)), ":prefix",
                            Attrs.s("SCHED#")))
                    .consistentRead(true).exclusiveStartKey(start).build());
            page.items().forEach(i -> out.add(read(i)));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    @Override
    public boolean update(Schedule s) {
        Map<String, AttributeValue> values = new HashMap<>();
        StringBuilder set = new StringBuilder("SET #expression = :e, #timezone = :tz, #input = :in, #status = :st,"
                + " #anchor = :a, #updated_at = :u, #version = :v");
        List<String> remove = new ArrayList<>();
        values.put(":e", Attrs.s(s.expression()));
        values.put(":tz", Attrs.s(s.timezone()));
        values.put(":in", Attrs.s(Json.write(s.input())));
        values.put(":st", Attrs.s(s.status().wireName()));
        values.put(":a", Attrs.n(s.anchor().toEpochMilli()));
        values.put(":u", Attrs.instant(s.updatedAt()));
        values.put(":v", Attrs.n(s.version()));
        values.put(":prev", Attrs.n(s.version() - 1));
        if (s.description() != null) {
            set.append(", #description = :d");
            values.put(":d", Attrs.s(s.description()));
        } else {
            remove.add("#description");
        }
        wake(s, s.nextFireAt(), set, remove, values);
        String expression = set + (remove.isEmpty() ? "" : " REMOVE " + String.join(", ", remove));
        try {
            table.client().updateItem(UpdateItemRequest.builder().tableName(table.name())
                    .key(DynamoTable.key(pk(s.orgId(), s.workflowId()), sk(s.id())))
                    .updateExpression(expression)
                    .conditionExpression("#version = :prev")
                    .expressionAttributeNames(Attrs.names(expression))
                    .expressionAttributeValues(values).build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Sets the next fire and the index keys, or removes them all when there is none. */
    private static void wake(Schedule s, Instant next, StringBuilder set, List<String> remove,
                             Map<String, AttributeValue> values) {
        if (next != null) {
            set.append(", #next_fire_at = :next, #wake_pk = :wpk, #wake_sk = :wsk");
            values.put(":next", Attrs.n(next.toEpochMilli()));
            values.put(":wpk", Attrs.s(wakePartition(partition(s.id()))));
            values.put(":wsk", Attrs.s(wakeSortKey(next, s.id(), s.orgId(), s.workflowId())));
        } else {
            remove.add("#next_fire_at");
            remove.add("#wake_pk");
            remove.add("#wake_sk");
        }
    }

    @Override
    public boolean delete(long orgId, long workflowId, long scheduleId) {
        TransactWriteItem delete = TransactWriteItem.builder().delete(Delete.builder().tableName(table.name())
                .key(DynamoTable.key(pk(orgId, workflowId), sk(scheduleId)))
                .conditionExpression("attribute_exists(pk)").build()).build();
        TransactWriteItem count = TransactWriteItem.builder().update(Update.builder().tableName(table.name())
                .key(DynamoTable.key(pk(orgId, workflowId), COUNT_SK))
                .updateExpression("ADD #n :minus").expressionAttributeNames(Attrs.names("#n"))
                .expressionAttributeValues(Map.of(":minus", Attrs.n(-1))).build())
                .build();
        try {
            table.client().transactWriteItems(TransactWriteItemsRequest.builder().transactItems(delete, count).build());
            return true;
        } catch (TransactionCanceledException e) {
            if (failed(e, 0)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public boolean advance(Schedule current, Instant fireTime, Instant next, List<Schedule.Fire> fires) {
        Map<String, AttributeValue> values = new HashMap<>();
        StringBuilder set = new StringBuilder();
        List<String> remove = new ArrayList<>();
        String add = outcome(current, fires, set, values);
        wake(current, next, set, remove, values);
        values.put(":t", Attrs.n(fireTime.toEpochMilli()));
        return conditional(current, set, add, remove, values, "#next_fire_at = :t");
    }

    @Override
    public void record(Schedule current, List<Schedule.Fire> fires) {
        Map<String, AttributeValue> values = new HashMap<>();
        StringBuilder set = new StringBuilder();
        String add = outcome(current, fires, set, values);
        values.put(":t", Attrs.n(fires.getLast().fireTime().toEpochMilli()));
        conditional(current, set, add, List.of(), values,
                "attribute_exists(pk) AND (attribute_not_exists(#last_fire_ms) OR #last_fire_ms < :t)");
    }

    private boolean conditional(Schedule s, StringBuilder set, String add, List<String> remove,
                                Map<String, AttributeValue> values, String condition) {
        String expression = "SET " + set.substring(2) + " ADD " + add
                + (remove.isEmpty() ? "" : " REMOVE " + String.join(", ", remove));
        try {
            table.client().updateItem(UpdateItemRequest.builder().tableName(table.name())
                    .key(DynamoTable.key(pk(s.orgId(), s.workflowId()), sk(s.id())))
                    .updateExpression(expression).conditionExpression(condition)
                    .expressionAttributeNames(Attrs.names(expression, condition))
                    .expressionAttributeValues(values).build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * The outcome's part of the write: the recent fires (these first, then the ones read, at most ten), the fire it
     * was recorded for ({@code last_fire_ms}, which a late record of an older fire must not pass), the last fire and
     * run (a missed fire is neither), and the counts added to.
     */
    private static String outcome(Schedule current, List<Schedule.Fire> fires, StringBuilder set,
                                  Map<String, AttributeValue> values) {
        List<Schedule.Fire> recent = new ArrayList<>(fires);
        recent.addAll(current.recentFires());
        set.append(", #recent_fires = :recent, #last_fire_ms = :t");
        values.put(":recent", Attrs.s(Json.write(fires(recent.subList(0, Math.min(recent.size(),
                Schedule.RECENT_FIRES))))));
        long started = 0;
        long failed = 0;
        long skipped = 0;
        long missed = 0;
        Schedule.Fire last = null;
        for (Schedule.Fire f : fires) {
            switch (f.outcome()) {
                case Schedule.Fire.STARTED -> started++;
                case Schedule.Fire.FAILED -> failed++;
                case Schedule.Fire.SKIPPED -> skipped++;
                default -> missed += f.count();
            }
            if (!Schedule.Fire.MISSED.equals(f.outcome()) && last == null) {
                last = f;
            }
        }
        if (last != null) {
            set.append(", #last_fired_at = :lf");
            values.put(":lf", Attrs.n(last.fireTime().toEpochMilli()));
            if (last.runId() != null) {
                set.append(", #last_run_id = :lr");
                values.put(":lr", Attrs.n(last.runId()));
            }
        }
        values.put(":started", Attrs.n(started));
        values.put(":failed", Attrs.n(failed));
        values.put(":skipped", Attrs.n(skipped));
        values.put(":missed", Attrs.n(missed));
        return "#fires_started :started, #fires_failed :failed, #fires_skipped :skipped, #fires_missed :missed";
    }

    @Override
    public int partitions() {
        return PARTITIONS;
    }

    static int partition(long scheduleId) {
        return (int) Math.floorMod(scheduleId, (long) PARTITIONS);
    }

    @Override
    public List<Due> due(int partition, Instant before, Due after, int limit) {
        QueryRequest.Builder query = QueryRequest.builder().tableName(table.name())
                .indexName(RunItems.WAKE_INDEX)
                .keyConditionExpression("wake_pk = :pk AND wake_sk < :before")
                .expressionAttributeValues(Map.of(":pk", Attrs.s(wakePartition(partition)),
                        ":before", Attrs.s(Attrs.sortable(before))))
                .limit(limit);
        if (after != null) {
            Map<String, AttributeValue> start = new HashMap<>(DynamoTable.key(pk(after.orgId(), after.workflowId()),
                    sk(after.scheduleId())));
            start.put("wake_pk", Attrs.s(wakePartition(partition)));
            start.put("wake_sk", Attrs.s(wakeSortKey(after.fireTime(), after.scheduleId(), after.orgId(),
                    after.workflowId())));
            query.exclusiveStartKey(start);
        }
        List<Due> due = new ArrayList<>();
        for (Map<String, AttributeValue> item : table.client().query(query.build()).items()) {
            String[] parts = Attrs.str(item, "wake_sk").split("#");
            if (parts.length == 4) {
                due.add(new Due(Long.parseLong(parts[2]), Long.parseLong(parts[3]), Long.parseLong(parts[1]),
                        Instant.parse(parts[0])));
            }
        }
        return due;
    }

    static Schedule read(Map<String, AttributeValue> item) {
        Long next = Attrs.numOrNull(item, "next_fire_at");
        Long lastFired = Attrs.numOrNull(item, "last_fired_at");
        return new Schedule(
                Attrs.num(item, "schedule_id"),
                Attrs.num(item, "org_id"),
                Attrs.num(item, "workflow_id"),
                Attrs.str(item, "expression"),
                Attrs.str(item, "timezone"),
                Json.read(Attrs.str(item, "input")),
                Attrs.str(item, "description"),
                Schedule.Status.fromWire(Attrs.str(item, "status")).orElse(Schedule.Status.PAUSED),
                Instant.ofEpochMilli(Attrs.num(item, "anchor")),
                Attrs.time(item, "created_at"),
                Attrs.time(item, "updated_at"),
                Attrs.num(item, "version"),
                next == null ? null : Instant.ofEpochMilli(next),
                lastFired == null ? null : Instant.ofEpochMilli(lastFired),
                Attrs.numOrNull(item, "last_run_id"),
                fires(Json.read(Attrs.str(item, "recent_fires"))),
                new Schedule.Counts(Attrs.num(item, "fires_started"), Attrs.num(item, "fires_failed"),
                        Attrs.num(item, "fires_skipped"), Attrs.num(item, "fires_missed")));
    }

    private static ArrayNode fires(List<Schedule.Fire> fires) {
        ArrayNode array = Json.array();
        for (Schedule.Fire f : fires) {
            ObjectNode o = array.addObject();
            o.put("fire_time", f.fireTime().toString());
            o.put("outcome", f.outcome());
            if (f.runId() != null) {
                o.put("run_id", f.runId());
            }
            o.put("code", f.code());
            o.put("message", f.message());
            o.put("count", f.count());
            o.put("recorded_at", f.recordedAt() == null ? null : f.recordedAt().toString());
        }
        return array;
    }

    private static List<Schedule.Fire> fires(JsonNode array) {
        List<Schedule.Fire> out = new ArrayList<>();
        if (array == null || !array.isArray()) {
            return out;
        }
        for (JsonNode n : array) {
            out.add(new Schedule.Fire(Instant.parse(n.path("fire_time").asText()), n.path("outcome").asText(),
                    n.hasNonNull("run_id") ? n.get("run_id").asLong() : null, text(n.get("code")),
                    text(n.get("message")), n.path("count").asLong(1),
                    n.hasNonNull("recorded_at") ? Instant.parse(n.get("recorded_at").asText()) : null));
        }
        return out;
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static boolean failed(TransactionCanceledException e, int index) {
        List<CancellationReason> reasons = e.cancellationReasons();
        return reasons != null && reasons.size() > index && "ConditionalCheckFailed".equals(reasons.get(index).code());
    }
}
