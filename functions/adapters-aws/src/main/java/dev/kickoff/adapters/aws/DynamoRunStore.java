package dev.kickoff.adapters.aws;

import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Runs on DynamoDB. Every state change is one conditional UpdateItem, so the lease protocol holds without
 * transactions: claim (pending, or in progress under an expired lease), checkpoint and finish (only by the
 * lease holder), abandon (only while pending).
 */
public final class DynamoRunStore implements RunStore {
    private final DynamoTable table;

    public DynamoRunStore(DynamoTable table) {
        this.table = table;
    }

    @Override
    public void create(Run run) {
        put(RunItems.toItem(run, true), run);
    }

    @Override
    public void createQueued(Run run) {
        put(RunItems.toItem(run, false), run);
    }

    @Override
    public boolean watch(long runId, Instant at) {
        try {
            table.client().updateItem(UpdateItemRequest.builder().tableName(table.name())
                    .key(DynamoTable.key(RunItems.pk(runId), RunItems.SK))
                    .updateExpression("SET gsi2pk = :partition, gsi2sk = :position")
                    .conditionExpression("attribute_exists(pk) AND attribute_not_exists(gsi2pk) "
                            + "AND (#status = :pending OR #status = :running)")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(RunItems.values(
                            ":partition", Attrs.s(RunItems.activePartition(RunItems.activePartitionOf(runId))),
                            // listed since now: the sweeper's grace counts from here
                            ":position", Attrs.s(RunItems.activeSortKey(at, runId)),
                            ":pending", Attrs.s(RunStatus.PENDING.wireName()),
                            ":running", Attrs.s(RunStatus.IN_PROGRESS.wireName())))
                    .build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private void put(Map<String, AttributeValue> runItem, Run run) {
        // Which put made the item: an SDK retry sends the same one, so it recognises its own item, while two
        // requests that drew the same ID (same millisecond, same random bits) with identical content do not.
        Map<String, AttributeValue> item = new java.util.HashMap<>(runItem);
        item.put(CREATED_BY, Attrs.s(Long.toString(NONCES.nextLong() & Long.MAX_VALUE, 36)));
        try {
            table.client().putItem(PutItemRequest.builder().tableName(table.name()).item(item)
                    .conditionExpression("attribute_not_exists(pk)")
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
    public ClaimResult claim(long runId, String owner, Instant now, Instant leaseUntil) {
        try {
            var response = table.client().updateItem(UpdateItemRequest.builder().tableName(table.name())
                    .key(DynamoTable.key(RunItems.pk(runId), RunItems.SK))
                    .updateExpression("SET #status = :running, lease_owner = :owner, lease_until = :until, "
                            + "attempts = if_not_exists(attempts, :zero) + :one, "
                            + "started_at = if_not_exists(started_at, :now), updated_at = :now")
                    .conditionExpression("attribute_exists(pk) AND (#status = :pending OR "
                            + "(#status = :running AND lease_until < :nowMillis))")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(RunItems.values(
                            ":running", Attrs.s(RunStatus.IN_PROGRESS.wireName()),
                            ":pending", Attrs.s(RunStatus.PENDING.wireName()),
                            ":owner", Attrs.s(owner),
                            ":until", Attrs.n(leaseUntil.toEpochMilli()),
                            ":nowMillis", Attrs.n(now.toEpochMilli()),
                            ":now", Attrs.instant(now.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)),
                            ":zero", Attrs.n(0),
                            ":one", Attrs.n(1)))
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
            return new ClaimResult.NotRunnable(current);
        }
    }

    @Override
    public boolean checkpoint(Run run) {
        return update(run, "SET steps = :steps, lease_until = :until, updated_at = :updated",
                RunItems.values(
                        ":steps", Attrs.s(RunItems.steps(run.steps())),
                        ":until", Attrs.n(run.leaseUntil().toEpochMilli()),
                        ":updated", Attrs.instant(run.updatedAt())));
    }

    @Override
    public boolean release(Run run) {
        return update(run, "SET lease_until = :expired", RunItems.values(":expired", Attrs.n(0)));
    }

    @Override
    public boolean finish(Run run) {
        return execute(finishRequest(run));
    }

    @Override
    public boolean finishPending(Run run) {
        Ending ending = ending(run);
        String expression = ending.set() + ", started_at = :started, attempts = :attempts" + ending.remove();
        ending.values().put(":started", Attrs.instant(run.startedAt()));
        ending.values().put(":attempts", Attrs.n(run.attempts()));
        ending.values().put(":pending", Attrs.s(RunStatus.PENDING.wireName()));
        return execute(UpdateItemRequest.builder().tableName(table.name())
                .key(DynamoTable.key(RunItems.pk(run.id()), RunItems.SK))
                .updateExpression(expression)
                .conditionExpression("#status = :pending")
                .expressionAttributeNames(names(expression))
                .expressionAttributeValues(ending.values())
                .build());
    }

    /** The lease-checked write that ends a run; a case run's failure sends it in a transaction with its case. */
    UpdateItemRequest finishRequest(Run run) {
        Ending ending = ending(run);
        return leased(run, ending.set() + ending.remove(), ending.values());
    }

    /** The SET and REMOVE clauses (and their values) that store a run's terminal state. */
    private record Ending(String set, String remove, Map<String, AttributeValue> values) {
    }

    private static Ending ending(Run run) {
        StringBuilder set = new StringBuilder("SET #status = :final, steps = :steps, updated_at = :updated, "
                + "completed_at = :completed");
        // Leaving the index of active runs in the same write: a finished run is never swept.
        StringBuilder remove = new StringBuilder(" REMOVE lease_owner, lease_until, gsi2pk, gsi2sk");
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
        if (run.error() != null) {
            set.append(", #error = :error");
            values.put(":error", Attrs.s(run.error()));
        } else {
            remove.append(", #error");
        }
        return new Ending(set.toString(), remove.toString(), values);
    }

    private static Map<String, String> names(String expression) {
        Map<String, String> names = new java.util.HashMap<>(Map.of("#status", "status"));
        if (expression.contains("#output")) {
            names.put("#output", "output");
        }
        if (expression.contains("#error")) {
            names.put("#error", "error");
        }
        return names;
    }

    private boolean update(Run run, String expression, Map<String, AttributeValue> values) {
        return execute(leased(run, expression, values));
    }

    private UpdateItemRequest leased(Run run, String expression, Map<String, AttributeValue> values) {
        values.put(":owner", Attrs.s(run.leaseOwner()));
        values.put(":running", Attrs.s(RunStatus.IN_PROGRESS.wireName()));
        return UpdateItemRequest.builder().tableName(table.name())
                .key(DynamoTable.key(RunItems.pk(run.id()), RunItems.SK))
                .updateExpression(expression)
                .conditionExpression("#status = :running AND lease_owner = :owner")
                .expressionAttributeNames(names(expression))
                .expressionAttributeValues(values)
                .build();
    }

    private boolean execute(UpdateItemRequest request) {
        try {
            table.client().updateItem(request);
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public boolean abandon(long runId, String error, Instant at) {
        return execute(abandonRequest(runId, error, at));
    }

    /** Ends a run that is still pending as failed (conditional on it being pending). */
    UpdateItemRequest abandonRequest(long runId, String error, Instant at) {
        return UpdateItemRequest.builder().tableName(table.name())
                .key(DynamoTable.key(RunItems.pk(runId), RunItems.SK))
                .updateExpression("SET #status = :failed, #error = :error, completed_at = :at, updated_at = :at "
                        + "REMOVE gsi2pk, gsi2sk")
                .conditionExpression("#status = :pending")
                .expressionAttributeNames(Map.of("#status", "status", "#error", "error"))
                .expressionAttributeValues(RunItems.values(
                        ":failed", Attrs.s(RunStatus.FAILED.wireName()),
                        ":pending", Attrs.s(RunStatus.PENDING.wireName()),
                        ":error", Attrs.s(error),
                        ":at", Attrs.instant(at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS))))
                .build();
    }
}
