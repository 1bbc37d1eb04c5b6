package dev.kickoff.adapters.aws;

import dev.kickoff.core.engine.RunTimings;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunError;
import dev.kickoff.core.run.RunLifecycle.Event;
import dev.kickoff.core.run.RunLifecycle.Guard;
import dev.kickoff.core.run.RunSignal;
import dev.kickoff.core.run.RunStatus;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Runs on DynamoDB. Every state change is one conditional write whose condition is built from the rows of its event
 * in {@link dev.kickoff.core.run.RunLifecycle} ({@link RunConditions}), so the lease protocol holds without
 * transactions: claim (pending, or in progress under an expired lease), checkpoint, yield and finish (only by the
 * lease holder), the unclaimed finish of a pure run (only while pending and unchanged since read). A refused write
 * answers what the run is now (the item DynamoDB returns with the failed condition, at no extra cost).
 */
public final class DynamoRunStore implements RunStore {
    private final DynamoTable table;
    private final List<Duration> queuedReadWaits;

    public DynamoRunStore(DynamoTable table) {
        this(table, RunTimings.QUEUED_READ_WAITS);
    }

    /**
     * @param queuedReadWaits pauses before each re-read in {@link #findQueued} ({@link RunTimings#queuedReadWaits}): on
     *                        AWS rarely needed, on the local stack (a message is delivered in a millisecond) often
     */
    public DynamoRunStore(DynamoTable table, List<Duration> queuedReadWaits) {
        this.table = table;
        this.queuedReadWaits = List.copyOf(queuedReadWaits);
    }

    @Override
    public void create(Run run) {
        put(RunItems.toItem(run), run);
    }

    @Override
    public boolean watch(long runId, Instant at) {
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = RunItems.values(
                ":partition", Attrs.s(RunItems.activePartition(RunItems.activePartitionOf(runId))),
                // listed since now: the sweeper's grace counts from here
                ":position", Attrs.s(RunItems.activeSortKey(at, runId)));
        String condition = RunConditions.of(Event.WATCH, names, values);
        return execute(UpdateItemRequest.builder().tableName(table.name())
                .key(DynamoTable.key(RunItems.pk(runId), RunItems.SK))
                .updateExpression("SET gsi2pk = :partition, gsi2sk = :position")
                .conditionExpression(condition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .build()).written();
    }

    private void put(Map<String, AttributeValue> runItem, Run run) {
        // Which put made the item: an SDK retry sends the same one, so it recognises its own item, while two
        // requests that drew the same ID (same millisecond, same random bits) with identical content do not.
        Map<String, AttributeValue> item = new HashMap<>(runItem);
        item.put(CREATED_BY, Attrs.s(Long.toString(NONCES.nextLong() & Long.MAX_VALUE, 36)));
        try {
            table.client().putItem(PutItemRequest.builder().tableName(table.name()).item(item)
                    .conditionExpression(RunConditions.of(Event.CREATE, new HashMap<>(), new HashMap<>()))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD).build());
        } catch (ConditionalCheckFailedException e) {
            // An SDK retry of a put that did land finds its own item: that is success, not a collision (which
            // would draw a new ID and orphan this run). Its own item, possibly moved on already: a queued run may
            // have been run by a worker between the put and its retry, so compare what never changes.
            if (e.hasItem() && sameRun(item, e.item())) {
                return;
            }
            throw new DuplicateIdException("run " + run.id());
        }
    }

    /** A random token per PutItem that creates a run (see {@link #put}). */
    static final String CREATED_BY = "created_by_put";
    private static final java.security.SecureRandom NONCES = new java.security.SecureRandom();

    /** The attributes a run is created with and keeps: two items that agree on them are one run. */
    private static final java.util.List<String> IDENTITY = java.util.List.of("run_id", CREATED_BY, "org_id",
            "workflow_id", "workflow_version", "trigger_id", "created_at", "input");

    static boolean sameRun(Map<String, AttributeValue> mine, Map<String, AttributeValue> stored) {
        for (String attribute : IDENTITY) {
            if (!java.util.Objects.equals(mine.get(attribute), stored.get(attribute))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Optional<Run> find(long runId) {
        return Optional.ofNullable(table.get(RunItems.pk(runId), RunItems.SK, true)).map(RunItems::fromItem);
    }

    @Override
    public Optional<Run> findQueued(long runId) {
        Optional<Run> run = find(runId);
        for (int i = 0; run.isEmpty() && i < queuedReadWaits.size(); i++) {
            try {
                Thread.sleep(queuedReadWaits.get(i));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
            run = find(runId);
        }
        return run;
    }

    @Override
    public ClaimResult claim(long runId, String owner, Instant now, Instant leaseUntil) {
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = RunItems.values(
                ":running", Attrs.s(RunStatus.IN_PROGRESS.wireName()),
                ":owner", Attrs.s(owner),
                ":until", Attrs.n(leaseUntil.toEpochMilli()),
                ":nowMillis", Attrs.n(now.toEpochMilli()),
                ":now", Attrs.instant(now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)),
                ":zero", Attrs.n(0),
                ":one", Attrs.n(1));
        String condition = RunConditions.of(Event.CLAIM, names, values);
        try {
            var response = table.client().updateItem(UpdateItemRequest.builder().tableName(table.name())
                    .key(DynamoTable.key(RunItems.pk(runId), RunItems.SK))
                    // The listing is left alone: a listed run stays listed until it ends, so the sweeper finds it
                    // again should this worker die too.
                    .updateExpression("SET #status = :running, lease_owner = :owner, lease_until = :until, "
                            + "attempts = if_not_exists(attempts, :zero) + :one, "
                            + "started_at = if_not_exists(started_at, :now), updated_at = :now "
                            + "REMOVE wake_at, wake_pk, wake_sk, wait_signal")
                    .conditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build());
            return new ClaimResult.Claimed(RunItems.fromItem(response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            if (!e.hasItem() || e.item().isEmpty()) {
                return new ClaimResult.Missing();
            }
            Run current = RunItems.fromItem(e.item());
            if (current.status().terminal()) {
                return new ClaimResult.Finished(current);
            }
            if (current.status() == RunStatus.IN_PROGRESS) {
                return new ClaimResult.Busy(current);
            }
            if (current.status() == RunStatus.PENDING || current.wakeAt() != null) {
                return new ClaimResult.NotDue(current);
            }
            return new ClaimResult.NotRunnable(current);
        }
    }

    @Override
    public WriteResult checkpoint(Run run) {
        return execute(leased(Event.CHECKPOINT, run, "SET steps = :steps, lease_until = :until, updated_at = :updated",
                RunItems.values(
                        ":steps", Attrs.s(RunItems.steps(run.steps())),
                        ":until", Attrs.n(run.leaseUntil().toEpochMilli()),
                        ":updated", Attrs.instant(run.updatedAt()))));
    }

    @Override
    public WriteResult release(Run run) {
        return execute(leased(Event.RELEASE, run, "SET lease_until = :expired", RunItems.values(":expired", Attrs.n(0))));
    }

    @Override
    public WriteResult yieldLease(Run run) {
        return execute(leased(Event.YIELD, run, "SET steps = :steps, lease_until = :until, updated_at = :updated",
                RunItems.values(
                        ":steps", Attrs.s(RunItems.steps(run.steps())),
                        ":until", Attrs.n(run.leaseUntil().toEpochMilli()),
                        ":updated", Attrs.instant(run.updatedAt()))));
    }

    @Override
    public WriteResult suspend(Run run, boolean wakeListed) {
        Map<String, AttributeValue> values = RunItems.values(
                ":suspended", Attrs.s(RunStatus.SUSPENDED.wireName()),
                ":steps", Attrs.s(RunItems.steps(run.steps())),
                ":updated", Attrs.instant(run.updatedAt()),
                ":wake", Attrs.n(run.wakeAt().toEpochMilli()));
        String listing = "";
        if (wakeListed) {
            // Keys only, spread by the run ID's random bits; soonest first, so the sweeper reads only what is due.
            listing = ", wake_pk = :wakePk, wake_sk = :wakeSk";
            values.put(":wakePk", Attrs.s(RunItems.wakePartition(RunItems.activePartitionOf(run.id()))));
            values.put(":wakeSk", Attrs.s(RunItems.wakeSortKey(run.wakeAt(), run.id(), run.orgId())));
        }
        return execute(leased(Event.SUSPEND, run, "SET #status = :suspended, steps = :steps, updated_at = :updated, "
                + "wake_at = :wake" + listing + " REMOVE lease_owner, lease_until", values));
    }

    @Override
    public WriteResult defer(Run run) {
        Map<String, AttributeValue> values = RunItems.values(
                ":pending", Attrs.s(RunStatus.PENDING.wireName()),
                ":steps", Attrs.s(RunItems.steps(run.steps())),
                ":updated", Attrs.instant(run.updatedAt()),
                ":wake", Attrs.n(run.wakeAt().toEpochMilli()));
        return execute(leased(Event.DEFER, run, "SET #status = :pending, steps = :steps, updated_at = :updated, "
                + "wake_at = :wake REMOVE lease_owner, lease_until", values));
    }

    @Override
    public WriteResult finish(Run run) {
        return execute(finishRequest(run));
    }

    @Override
    public WriteResult finishUnclaimed(Run run, Instant seenUpdatedAt) {
        Ending ending = ending(run);
        String expression = ending.set() + ", started_at = :started, attempts = :attempts" + ending.remove();
        ending.values().put(":started", Attrs.instant(run.startedAt()));
        ending.values().put(":attempts", Attrs.n(run.attempts()));
        ending.values().put(":seenUpdated", Attrs.instant(seenUpdatedAt));
        Map<String, String> names = names(expression);
        String condition = RunConditions.of(run.status() == RunStatus.COMPLETED ? Event.COMPLETE_UNCLAIMED
                : Event.FAIL_UNCLAIMED, names, ending.values());
        return execute(UpdateItemRequest.builder().tableName(table.name())
                .key(DynamoTable.key(RunItems.pk(run.id()), RunItems.SK))
                .updateExpression(expression)
                .conditionExpression(condition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(ending.values())
                .build());
    }

    @Override
    public WriteResult retry(Run run, Instant seenUpdatedAt) {
        Map<String, String> names = new HashMap<>(Map.of("#error", "error", "#output", "output"));
        Map<String, AttributeValue> values = RunItems.values(
                ":pending", Attrs.s(RunStatus.PENDING.wireName()),
                ":steps", Attrs.s(RunItems.steps(run.steps())),
                ":retries", Attrs.n(run.retries()),
                ":updated", Attrs.instant(run.updatedAt()),
                ":seenUpdated", Attrs.instant(seenUpdatedAt),
                // listed from now: its message is sent after this write, and the sweeper must find it should it fail
                ":partition", Attrs.s(RunItems.activePartition(RunItems.activePartitionOf(run.id()))),
                ":position", Attrs.s(RunItems.activeSortKey(run.updatedAt(), run.id())));
        String condition = RunConditions.of(Event.RETRY, names, values);
        return execute(UpdateItemRequest.builder().tableName(table.name())
                .key(DynamoTable.key(RunItems.pk(run.id()), RunItems.SK))
                .updateExpression("SET #status = :pending, steps = :steps, retries = :retries, updated_at = :updated, "
                        + "gsi2pk = :partition, gsi2sk = :position REMOVE #error, error_code, #output, completed_at")
                .conditionExpression(condition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .build());
    }

    @Override
    public WriteResult awaitSignal(Run run, int seenSignals, boolean wakeListed) {
        Map<String, AttributeValue> values = RunItems.values(
                ":suspended", Attrs.s(RunStatus.SUSPENDED.wireName()),
                ":steps", Attrs.s(RunItems.steps(run.steps())),
                ":updated", Attrs.instant(run.updatedAt()),
                ":waitSignal", Attrs.s(run.signals().awaited()),
                ":seenSignals", Attrs.n(seenSignals));
        StringBuilder set = new StringBuilder("SET #status = :suspended, steps = :steps, updated_at = :updated, "
                + "wait_signal = :waitSignal");
        // Out of the active-runs listing: a run waiting for a client is no business of the sweeper's recovery.
        StringBuilder remove = new StringBuilder(" REMOVE lease_owner, lease_until, gsi2pk, gsi2sk");
        if (run.wakeAt() == null) {
            remove.append(", wake_at, wake_pk, wake_sk");
        } else {
            set.append(", wake_at = :wake");
            values.put(":wake", Attrs.n(run.wakeAt().toEpochMilli()));
            if (wakeListed) {
                set.append(", wake_pk = :wakePk, wake_sk = :wakeSk");
                values.put(":wakePk", Attrs.s(RunItems.wakePartition(RunItems.activePartitionOf(run.id()))));
                values.put(":wakeSk", Attrs.s(RunItems.wakeSortKey(run.wakeAt(), run.id(), run.orgId())));
            } else {
                remove.append(", wake_pk, wake_sk");
            }
        }
        return execute(leased(Event.AWAIT, run, set.toString() + remove, values));
    }

    @Override
    public WriteResult signal(long runId, RunSignal signal, boolean keyed, Instant at) {
        Map<String, AttributeValue> values = signalValues(signal, keyed, at);
        values.put(":pending", Attrs.s(RunStatus.PENDING.wireName()));
        // Listed from now, as a retried run is: its message is sent after this write, and the sweeper must find it
        // should that fail.
        values.put(":partition", Attrs.s(RunItems.activePartition(RunItems.activePartitionOf(runId))));
        values.put(":position", Attrs.s(RunItems.activeSortKey(at, runId)));
        return execute(signalRequest(Event.SIGNAL, runId, "SET #status = :pending, " + APPEND_SIGNAL
                + ", updated_at = :at, gsi2pk = :partition, gsi2sk = :position" + (keyed ? " ADD signal_keys :keys" : "")
                + " REMOVE wait_signal, wake_at, wake_pk, wake_sk", values));
    }

    @Override
    public WriteResult keepSignal(long runId, RunSignal signal, boolean keyed, Instant at) {
        return execute(signalRequest(Event.KEEP_SIGNAL, runId, "SET " + APPEND_SIGNAL + ", updated_at = :at"
                + (keyed ? " ADD signal_keys :keys" : ""), signalValues(signal, keyed, at)));
    }

    /** Kept signals are only ever added after the last one: the worker's index of a kept signal stays true. */
    private static final String APPEND_SIGNAL = "signals = list_append(if_not_exists(signals, :none), :signal)";

    private static Map<String, AttributeValue> signalValues(RunSignal signal, boolean keyed, Instant at) {
        Map<String, AttributeValue> values = RunItems.values(
                ":none", AttributeValue.fromL(List.of()),
                ":signal", RunItems.signalList(List.of(signal)),
                ":at", Attrs.instant(at),
                ":signalId", Attrs.s(signal.id()),
                ":maxKept", Attrs.n(dev.kickoff.core.run.RunSignals.MAX_KEPT));
        if (keyed) {
            values.put(":keys", AttributeValue.fromSs(List.of(signal.id())));
        }
        return values;
    }

    private UpdateItemRequest signalRequest(Event event, long runId, String expression,
                                            Map<String, AttributeValue> values) {
        Map<String, String> names = new HashMap<>();
        String condition = RunConditions.of(event, names, values);
        if (condition.contains(":signalName")) {
            values.put(":signalName", Attrs.s(signalName(values)));
        }
        return UpdateItemRequest.builder().tableName(table.name())
                .key(DynamoTable.key(RunItems.pk(runId), RunItems.SK))
                .updateExpression(expression)
                .conditionExpression(condition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .build();
    }

    private static String signalName(Map<String, AttributeValue> values) {
        return values.get(":signal").l().getFirst().m().get("name").s();
    }

    @Override
    public WriteResult receive(Run run, int index, String signalId) {
        if (index < 0) {
            throw new IllegalArgumentException("a kept signal's index is not negative");
        }
        Map<String, AttributeValue> values = RunItems.values(
                ":steps", Attrs.s(RunItems.steps(run.steps())),
                ":until", Attrs.n(run.leaseUntil().toEpochMilli()),
                ":updated", Attrs.instant(run.updatedAt()),
                ":owner", Attrs.s(run.leaseOwner()),
                ":signalId", Attrs.s(signalId));
        Map<String, String> names = new HashMap<>(Map.of("#sigid", "id"));
        String condition = RunConditions.of(Event.RECEIVE, names, values, guard -> guard == Guard.LEASE_HELD_SIGNAL_KEPT
                ? "lease_owner = :owner AND signals[" + index + "].#sigid = :signalId" : RunConditions.standard(guard));
        return execute(UpdateItemRequest.builder().tableName(table.name())
                .key(DynamoTable.key(RunItems.pk(run.id()), RunItems.SK))
                .updateExpression("SET steps = :steps, lease_until = :until, updated_at = :updated REMOVE signals["
                        + index + "]")
                .conditionExpression(condition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .build());
    }

    @Override
    public RunPage list(long orgId, long workflowId, RunStatus status, int limit, String cursor) {
        return new RunList(table).list(orgId, workflowId, status, limit, cursor);
    }

    @Override
    public WriteResult cancel(long runId, RunError error, Instant at) {
        return execute(cancelRequest(runId, error, at));
    }

    /** CANCEL: an unfinished run ends failed, whoever holds it; a case run's goes in a transaction with its case. */
    UpdateItemRequest cancelRequest(long runId, RunError error, Instant at) {
        Map<String, String> names = new HashMap<>(Map.of("#error", "error"));
        Map<String, AttributeValue> values = RunItems.values(
                ":failed", Attrs.s(RunStatus.FAILED.wireName()),
                ":error", Attrs.s(error.message()),
                ":code", Attrs.s(error.code()),
                ":at", Attrs.instant(at));
        String condition = RunConditions.of(Event.CANCEL, names, values);
        return UpdateItemRequest.builder().tableName(table.name())
                .key(DynamoTable.key(RunItems.pk(runId), RunItems.SK))
                .updateExpression("SET #status = :failed, #error = :error, error_code = :code, updated_at = :at, "
                        + "completed_at = :at REMOVE lease_owner, lease_until, wake_at, wake_pk, wake_sk, wait_signal, "
                        + "gsi2pk, gsi2sk")
                .conditionExpression(condition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    /**
     * The lease-checked write that ends a run (COMPLETE or FAIL); a case run's failure sends it in a transaction with
     * its case.
     */
    UpdateItemRequest finishRequest(Run run) {
        Ending ending = ending(run);
        return leased(run.status() == RunStatus.COMPLETED ? Event.COMPLETE : Event.FAIL, run,
                ending.set() + ending.remove(), ending.values());
    }

    /** The SET and REMOVE clauses (and their values) that store a run's terminal state. */
    private record Ending(String set, String remove, Map<String, AttributeValue> values) {
    }

    private static Ending ending(Run run) {
        StringBuilder set = new StringBuilder("SET #status = :final, steps = :steps, updated_at = :updated, "
                + "completed_at = :completed");
        // Leaving the index of active runs in the same write: a finished run is never swept.
        StringBuilder remove = new StringBuilder(" REMOVE lease_owner, lease_until, wake_at, wake_pk, wake_sk, wait_signal,"
                + " gsi2pk, gsi2sk");
        Map<String, AttributeValue> values = RunItems.values(
                ":final", Attrs.s(run.status().wireName()),
                ":steps", Attrs.s(RunItems.steps(run.steps())),
                ":updated", Attrs.instant(run.updatedAt()),
                ":completed", Attrs.instant(run.completedAt()));
        if (run.output() != null) {
            set.append(", #output = :output");
            values.put(":output", Attrs.s(Json.write(run.output())));
        } else {
            remove.append(", #output");
        }
        if (run.failure() != null) {
            set.append(", #error = :error, error_code = :errorCode");
            values.put(":error", Attrs.s(run.failure().message()));
            values.put(":errorCode", Attrs.s(run.failure().code()));
        } else {
            remove.append(", #error, error_code");
        }
        return new Ending(set.toString(), remove.toString(), values);
    }

    private static Map<String, String> names(String expression) {
        Map<String, String> names = new HashMap<>(Map.of("#status", "status"));
        if (expression.contains("#output")) {
            names.put("#output", "output");
        }
        if (expression.contains("#error")) {
            names.put("#error", "error");
        }
        return names;
    }

    /** A write by the lease holder: {@code event}'s condition, with {@code :owner} bound to the run's lease owner. */
    private UpdateItemRequest leased(Event event, Run run, String expression, Map<String, AttributeValue> values) {
        values.put(":owner", Attrs.s(run.leaseOwner()));
        Map<String, String> names = names(expression);
        String condition = RunConditions.of(event, names, values);
        return UpdateItemRequest.builder().tableName(table.name())
                .key(DynamoTable.key(RunItems.pk(run.id()), RunItems.SK))
                .updateExpression(expression)
                .conditionExpression(condition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                .build();
    }

    /**
     * Sends a conditional write. The SDK retries a request whose answer was lost; a retry of a write that did land
     * and moved the run (an end) then fails its condition, so a refusal carries the run as it is now, and the engine
     * recognises its own ending in it (see ClaimedExecution#moved). Checkpoints and releases keep their condition
     * true, so their retries simply land again.
     */
    private WriteResult execute(UpdateItemRequest request) {
        try {
            table.client().updateItem(request.toBuilder()
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD).build());
            return new WriteResult.Written();
        } catch (ConditionalCheckFailedException e) {
            return new WriteResult.Refused(e.hasItem() && !e.item().isEmpty() ? RunItems.fromItem(e.item()) : null);
        }
    }
}
