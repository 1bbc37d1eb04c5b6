package dev.kickoff.adapters.aws;

import dev.kickoff.core.run.RunLifecycle;
import dev.kickoff.core.run.RunLifecycle.Event;
import dev.kickoff.core.run.RunLifecycle.Guard;
import dev.kickoff.core.run.RunLifecycle.Transition;
import dev.kickoff.core.run.RunStatus;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A run write's condition, built from the rows of its event in {@link RunLifecycle}:
 * {@code (#status = :from AND <guard>) OR ...}. The table decides what each write accepts; this class only spells it
 * in DynamoDB's expression language, so the two cannot drift apart ({@code DynamoRunLifecycleTest} drives every row
 * and every refused pair through DynamoDB Local).
 *
 * <p>Guards use fixed placeholders the caller binds: {@code :nowMillis} (LEASE_EXPIRED, DUE), {@code :owner} (LEASE_HELD),
 * {@code :seenUpdated} (UNCHANGED), {@code :seenSignals} (LEASE_HELD_NO_NEW_SIGNAL), {@code :signalName},
 * {@code :signalId} and {@code :maxKept} (AWAITED, NOT_AWAITED, SIGNAL_ROOM). QUIET's expression is the caller's (it
 * compares what the sweeper read), and so is LEASE_HELD_SIGNAL_KEPT's (it names the signal's place in the list).
 */
final class RunConditions {
    private RunConditions() {
    }

    /**
     * Room for one more kept signal, and no signal with this one's ID taken before (a keyed signal's ID is its key's:
     * a repeat is refused; an unkeyed one's is random, never in the set).
     */
    private static final String SIGNAL_ROOM = "(attribute_not_exists(signals) OR size(signals) < :maxKept)"
            + " AND NOT contains(signal_keys, :signalId)";

    /** The guards every run write spells the same way. */
    static String standard(Guard guard) {
        return switch (guard) {
            case NONE -> null;
            case DUE -> "(attribute_not_exists(wake_at) OR wake_at <= :nowMillis)";
            case WAKE_DUE -> "wake_at <= :nowMillis";
            case ID_FREE -> "attribute_not_exists(pk)";
            case LEASE_EXPIRED -> "lease_until <= :nowMillis";
            case LEASE_HELD -> "lease_owner = :owner";
            case UNCHANGED -> "updated_at = :seenUpdated";
            case NOT_LISTED -> "attribute_not_exists(gsi2pk)";
            case LISTED -> "attribute_exists(gsi2pk)";
            case LEASE_HELD_NO_NEW_SIGNAL -> "lease_owner = :owner AND (attribute_not_exists(signals)"
                    + " OR size(signals) = :seenSignals)";
            case AWAITED -> "wait_signal = :signalName AND " + SIGNAL_ROOM;
            case NOT_AWAITED -> "(attribute_not_exists(wait_signal) OR wait_signal <> :signalName) AND " + SIGNAL_ROOM;
            case SIGNAL_ROOM -> SIGNAL_ROOM;
            case QUIET -> throw new IllegalArgumentException("QUIET is spelled by the sweeper's store");
            case LEASE_HELD_SIGNAL_KEPT -> throw new IllegalArgumentException(
                    "LEASE_HELD_SIGNAL_KEPT is spelled by the write that takes the signal");
        };
    }

    /**
     * The condition of {@code event}'s write; binds the status placeholders into {@code values} and {@code #status}
     * into {@code names}.
     */
    static String of(Event event, Map<String, String> names, Map<String, AttributeValue> values) {
        return of(event, names, values, RunConditions::standard);
    }

    static String of(Event event, Map<String, String> names, Map<String, AttributeValue> values,
                     Function<Guard, String> guards) {
        List<String> rows = new ArrayList<>();
        for (Transition row : RunLifecycle.rows(event)) {
            String guard = guards.apply(row.guard());
            if (row.from() == null) {
                rows.add(guard);
                continue;
            }
            String status = status(row.from(), names, values);
            rows.add(guard == null ? status : "(" + status + " AND " + guard + ")");
        }
        if (rows.isEmpty()) {
            throw new IllegalStateException("the lifecycle has no row for " + event);
        }
        return rows.size() == 1 ? rows.getFirst() : "(" + String.join(" OR ", rows) + ")";
    }

    private static String status(RunStatus status, Map<String, String> names, Map<String, AttributeValue> values) {
        names.put("#status", "status");
        String placeholder = ":st_" + status.wireName();
        values.put(placeholder, Attrs.s(status.wireName()));
        return "#status = " + placeholder;
    }
}
