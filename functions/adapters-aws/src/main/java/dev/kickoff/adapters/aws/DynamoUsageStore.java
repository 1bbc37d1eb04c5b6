package dev.kickoff.adapters.aws;

import dev.kickoff.core.port.UsageStore;
import dev.kickoff.core.run.RunStatus;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Metering on DynamoDB.
 * <ul>
 *   <li>the marker: {@code RUN#<run>} / {@code METER} (next to the run, small): {@code finishes}, {@code metered_at},
 *       {@code cost_cents}, the run's cost so far;</li>
 *   <li>the counters: {@code USAGE#<org>#<yyyy-mm>#<shard>} / {@code D#<dd>#WF#<workflow, 16 digits>} with
 *       {@code runs, step_executions, step_ms, outbound_requests, cost_cents} and the runs split by how they
 *       finished, {@code runs_completed, runs_failed} (for the usage chart); the quota adds up their {@code runs};
 *       the shard is the run ID mod {@link #SHARDS}, so an organization's finishes spread over 64 partitions.</li>
 * </ul>
 * A finish is one {@code TransactWriteItems}: the marker's update, conditional on the finishes it had, and {@code ADD}s
 * to the counters. Its client request token is derived from the run and the finish, so an SDK retry of a transaction
 * that did land is answered as a success rather than applied twice. Each item is under 1 KB: 2 write units each in a
 * transaction, 4 per finish. The run's cost is then shown on the run item with one conditional update.
 */
public final class DynamoUsageStore implements UsageStore {
    static final String MARKER_SK = "METER";

    private final DynamoTable table;

    public DynamoUsageStore(DynamoTable table) {
        this.table = table;
    }

    static String counterPk(long orgId, YearMonth month, int shard) {
        return "USAGE#" + orgId + "#" + month + "#" + shard;
    }

    static String counterSk(int day, long workflowId) {
        return String.format("D#%02d#WF#%s", day, Attrs.pad(workflowId));
    }

    static int shard(long runId) {
        return (int) Math.floorMod(runId, (long) SHARDS);
    }

    @Override
    public Optional<Marker> marker(long runId) {
        Map<String, AttributeValue> item = table.get(RunItems.pk(runId), MARKER_SK, true);
        if (item == null) {
            return Optional.empty();
        }
        return Optional.of(new Marker((int) Attrs.num(item, "finishes"), Attrs.time(item, "metered_at"),
                Attrs.decimalOrNull(item, "cost_cents")));
    }

    @Override
    public boolean meter(Meter m) {
        LocalDate day = LocalDate.ofInstant(m.finishedAt(), ZoneOffset.UTC);
        YearMonth month = YearMonth.from(day);
        String counters = counterPk(m.orgId(), month, shard(m.runId()));

        String markerUpdate = "SET #type = :mtype, #finishes = :n, #metered_at = :at, #cost_cents = :total,"
                + " #org_id = :org, #workflow_id = :wf";
        String markerCondition = m.previous() == 0 ? "attribute_not_exists(#finishes)" : "#finishes = :prev";
        Map<String, AttributeValue> markerValues = new HashMap<>(Map.of(":mtype", Attrs.s("run_meter"),
                ":n", Attrs.n(m.finish()), ":at", Attrs.instant(m.finishedAt()), ":total", Attrs.decimal(m.totalCost()),
                ":org", Attrs.n(m.orgId()), ":wf", Attrs.n(m.workflowId())));
        if (m.previous() != 0) {
            markerValues.put(":prev", Attrs.n(m.previous()));
        }
        List<TransactWriteItem> items = new ArrayList<>();
        items.add(TransactWriteItem.builder().update(Update.builder().tableName(table.name())
                .key(DynamoTable.key(RunItems.pk(m.runId()), MARKER_SK))
                .updateExpression(markerUpdate).conditionExpression(markerCondition)
                .expressionAttributeNames(Attrs.names(markerUpdate, markerCondition))
                .expressionAttributeValues(markerValues).build()).build());

        // The run is counted under its status once, with the run itself: a retried run that failed first stays failed.
        String counterUpdate = "SET #type = :ctype, #workflow_id = :wf ADD #runs :runs, #step_executions :steps,"
                + " #step_ms :ms, #outbound_requests :out, #cost_cents :cost, #runs_completed :done,"
                + " #runs_failed :failed";
        boolean done = m.countsRun() && m.status() == RunStatus.COMPLETED;
        boolean failed = m.countsRun() && m.status() == RunStatus.FAILED;
        items.add(TransactWriteItem.builder().update(Update.builder().tableName(table.name())
                .key(DynamoTable.key(counters, counterSk(day.getDayOfMonth(), m.workflowId())))
                .updateExpression(counterUpdate).expressionAttributeNames(Attrs.names(counterUpdate))
                .expressionAttributeValues(Map.of(":ctype", Attrs.s("usage_counter"), ":wf", Attrs.n(m.workflowId()),
                        ":runs", Attrs.n(m.countsRun() ? 1 : 0), ":steps", Attrs.n(m.usage().steps()),
                        ":ms", Attrs.n(m.usage().stepMs()), ":out", Attrs.n(m.usage().outboundRequests()),
                        ":cost", Attrs.decimal(m.cost()), ":done", Attrs.n(done ? 1 : 0),
                        ":failed", Attrs.n(failed ? 1 : 0))).build()).build());
        try {
            table.client().transactWriteItems(TransactWriteItemsRequest.builder().transactItems(items)
                    .clientRequestToken("m-" + m.runId() + "-" + m.finish() + "-" + m.previous()).build());
            return true;
        } catch (software.amazon.awssdk.services.dynamodb.model.IdempotentParameterMismatchException e) {
            return false;  // this finish was metered by a request with the same token moments ago (other prices)
        } catch (TransactionCanceledException e) {
            List<CancellationReason> reasons = e.cancellationReasons();
            if (reasons != null && !reasons.isEmpty() && "ConditionalCheckFailed".equals(reasons.getFirst().code())) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void priceRun(long runId, int finish, BigDecimal totalCost) {
        String update = "SET #cost_cents = :c, #cost_finishes = :n";
        String condition = "attribute_exists(pk) AND (attribute_not_exists(#cost_finishes) OR #cost_finishes < :n)";
        try {
            table.client().updateItem(UpdateItemRequest.builder().tableName(table.name())
                    .key(DynamoTable.key(RunItems.pk(runId), RunItems.SK))
                    .updateExpression(update).conditionExpression(condition)
                    .expressionAttributeNames(Attrs.names(update, condition))
                    .expressionAttributeValues(Map.of(":c", Attrs.decimal(totalCost), ":n", Attrs.n(finish))).build());
        } catch (ConditionalCheckFailedException e) {
            // this finish's cost (or a later one's) is shown already
        }
    }

    @Override
    public Counters report(long orgId, YearMonth month, Integer day) {
        String prefix = day == null ? "D#" : String.format("D#%02d#", day);
        Map<Long, Counter> merged = new TreeMap<>();
        Map<Integer, DayCounter> days = new TreeMap<>();
        for (List<Map<String, AttributeValue>> shard : perShard(s -> query(counterPk(orgId, month, s), prefix))) {
            for (Map<String, AttributeValue> item : shard) {
                long wf = Attrs.num(item, "workflow_id");
                BigDecimal cost = Optional.ofNullable(Attrs.decimalOrNull(item, "cost_cents")).orElse(BigDecimal.ZERO);
                Counter c = new Counter(wf, Attrs.num(item, "runs"), Attrs.num(item, "step_executions"),
                        Attrs.num(item, "step_ms"), Attrs.num(item, "outbound_requests"), cost);
                merged.merge(wf, c, (a, b) -> new Counter(wf, a.runs() + b.runs(),
                        a.stepExecutions() + b.stepExecutions(), a.stepMs() + b.stepMs(),
                        a.outboundRequests() + b.outboundRequests(), a.costCents().add(b.costCents())));
                // The sort key is D#<dd>#WF#…: the day is in it. Counters from before the status split have neither.
                int d = Integer.parseInt(Attrs.str(item, "sk").substring(2, 4));
                days.merge(d, new DayCounter(d, c.runs(), Attrs.num(item, "runs_completed"),
                        Attrs.num(item, "runs_failed"), cost), (a, b) -> new DayCounter(d, a.runs() + b.runs(),
                        a.completed() + b.completed(), a.failed() + b.failed(), a.costCents().add(b.costCents())));
            }
        }
        return new Counters(new ArrayList<>(merged.values()), new ArrayList<>(days.values()));
    }

    private List<Map<String, AttributeValue>> query(String pk, String prefix) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryResponse page = table.client().query(QueryRequest.builder().tableName(table.name())
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":pk", Attrs.s(pk), ":prefix", Attrs.s(prefix)))
                    .exclusiveStartKey(start).build());
            items.addAll(page.items());
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }

    /** One query per shard, side by side (they wait on the network). */
    private static <T> List<T> perShard(java.util.function.IntFunction<T> read) {
        List<T> out = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (int s = 0; s < SHARDS; s++) {
                int shard = s;
                futures.add(pool.submit(() -> read.apply(shard)));
            }
            for (Future<T> f : futures) {
                try {
                    out.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while reading usage", e);
                }
            }
        }
        return out;
    }

    /**
     * The day counters' {@code runs}, added up over the month's 64 shards (eventually consistent, like the quota it
     * serves). Until 2026-12-02 every finish also added 1 to a per-shard {@code TOTAL} item in its transaction (2 WRU
     * per run) for this read alone; the day counters always held the same count, so older months read the same.
     */
    @Override
    public long monthRuns(long orgId, YearMonth month) {
        long runs = 0;
        for (List<Map<String, AttributeValue>> shard : perShard(s -> query(counterPk(orgId, month, s), "D#"))) {
            for (Map<String, AttributeValue> item : shard) {
                runs += Attrs.num(item, "runs");
            }
        }
        return runs;
    }
}
