package dev.kickoff.adapters.aws;

import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.ActiveRuns;
import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.RunStore.ClaimResult;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunLifecycle;
import dev.kickoff.core.run.RunLifecycle.Event;
import dev.kickoff.core.run.RunLifecycle.Guard;
import dev.kickoff.core.run.RunLifecycle.Transition;
import dev.kickoff.core.run.RunSignal;
import dev.kickoff.core.run.RunSignals;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.emulators.testing.TestAws;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RunLifecycle} against DynamoDB Local: the conditions {@link RunConditions} builds from the table accept
 * every row (with its guard holding), refuse every row with its guard broken, and refuse every (state, event) pair
 * that is not a row, leaving the item as it was. The same table test as the core's, on the store that deploys.
 */
class DynamoRunLifecycleTest {
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final String ME = "me";
    static final AtomicLong IDS = new AtomicLong(System.nanoTime() & 0xffffffffL);

    static DynamoTable table;
    static DynamoRunStore runs;
    static DynamoActiveRuns active;

    @BeforeAll
    static void setUp() {
        var stack = TestAws.get().provision("lifecycle");
        table = new DynamoTable(AwsClients.dynamoDb(), stack.table("KickoffTable").name());
        runs = new DynamoRunStore(table, List.of());
        active = new DynamoActiveRuns(table);
    }

    static Stream<Transition> rows() {
        return RunLifecycle.TABLE.stream();
    }

    static Stream<Transition> guardedRows() {
        return RunLifecycle.TABLE.stream().filter(t -> t.guard() != Guard.NONE && t.from() != null);
    }

    static Stream<Arguments> refusedPairs() {
        List<RunStatus> states = new ArrayList<>(Arrays.asList(RunStatus.values()));
        states.add(null);
        List<Arguments> pairs = new ArrayList<>();
        for (RunStatus state : states) {
            for (Event event : Event.values()) {
                if (RunLifecycle.find(state, event).isEmpty()) {
                    pairs.add(Arguments.of(state, event));
                }
            }
        }
        return pairs.stream();
    }

    static Run run(long id, RunStatus status) {
        return new Run(id, 1, 2, 3, false, 4, "api", "ci", "live", Json.object(), null, null, NOW.minusSeconds(60),
                status, null, null, List.of(), NOW.minusSeconds(60), null, null, 0, null, null);
    }

    /** Writes a run item in {@code status} as it is, guards set to hold (or not, for {@code guard}). */
    static Run prepare(RunStatus status, Guard guard, boolean guardHolds) {
        Run run = run(IDS.incrementAndGet(), status);
        Map<String, AttributeValue> item = new HashMap<>(RunItems.toItem(run));
        if (status == RunStatus.IN_PROGRESS || status == null) {
            boolean held = guard != Guard.LEASE_HELD || guardHolds;
            boolean over = guard != Guard.LEASE_EXPIRED || guardHolds;
            Instant until = over ? NOW.minusSeconds(1) : NOW.plusSeconds(60);
            run = run.toBuilder().lease(held ? ME : "another worker", until).build();
            item.put("lease_owner", Attrs.s(run.leaseOwner()));
            item.put("lease_until", Attrs.n(until.toEpochMilli()));
        }
        if (status == RunStatus.SUSPENDED) {  // a wait that is over, or (its guard broken) an hour away
            item.put("wake_at", Attrs.n((guard == Guard.WAKE_DUE && !guardHolds ? NOW.plusSeconds(3600)
                    : NOW.minusSeconds(1)).toEpochMilli()));
        }
        if (guard == Guard.DUE && !guardHolds) {
            item.put("wake_at", Attrs.n(NOW.plusSeconds(60).toEpochMilli()));  // waiting for a retry a minute from now
        }
        // Signals as the core's table test prepares them: one kept (k1), awaiting what the guard needs, or full.
        RunSignals signals = signals(guard, guardHolds);
        run = run.toBuilder().signals(signals).build();
        item.put("signals", RunItems.signalList(signals.kept()));
        if (signals.awaited() != null) {
            item.put("wait_signal", Attrs.s(signals.awaited()));
        }
        boolean listed = guard == Guard.LISTED ? guardHolds : guard == Guard.NOT_LISTED && !guardHolds;
        if (listed) {
            item.put("gsi2pk", Attrs.s(RunItems.activePartition(RunItems.activePartitionOf(run.id()))));
            item.put("gsi2sk", Attrs.s(RunItems.activeSortKey(NOW.minusSeconds(60), run.id())));
        }
        table.client().putItem(b -> b.tableName(table.name()).item(item));
        return run;
    }

    static RunSignals signals(Guard guard, boolean guardHolds) {
        List<RunSignal> kept = new ArrayList<>(List.of(new RunSignal("k1", "approved", Json.object(), NOW)));
        if (guard == Guard.SIGNAL_ROOM && !guardHolds) {
            for (int i = 2; i <= RunSignals.MAX_KEPT; i++) {
                kept.add(new RunSignal("k" + i, "other", Json.object(), NOW));
            }
        }
        String awaited = switch (guard) {
            case AWAITED -> guardHolds ? "approved" : "other";
            case NOT_AWAITED -> guardHolds ? "other" : "approved";
            default -> null;
        };
        return new RunSignals(kept, awaited, java.util.Set.of());
    }

    static RunSignal approved() {
        return new RunSignal("s" + System.nanoTime(), "approved", Json.object().put("ok", true), NOW);
    }

    static Map<String, AttributeValue> item(long runId) {
        return table.get(RunItems.pk(runId), RunItems.SK, true);
    }

    static boolean apply(Event event, Run run, boolean guardHolds) {
        Run mine = run.toBuilder().lease(ME, run.leaseUntil()).build();
        Run ended = mine.toBuilder().output(Json.object()).steps(List.of()).updatedAt(NOW).completedAt(NOW)
                .startedAt(NOW).attempts(1).build();
        Instant seen = guardHolds ? run.updatedAt() : run.updatedAt().minusMillis(1);
        return switch (event) {
            case CREATE -> {
                try {
                    runs.create(run);
                    yield true;
                } catch (DuplicateIdException e) {
                    yield false;
                }
            }
            case CLAIM -> runs.claim(run.id(), ME, NOW, NOW.plusSeconds(60)) instanceof ClaimResult.Claimed;
            case CHECKPOINT -> runs.checkpoint(mine.toBuilder().updatedAt(NOW).lease(ME, NOW.plusSeconds(60)).build())
                    .written();
            case RELEASE -> runs.release(mine).written();
            case YIELD -> runs.yieldLease(mine.toBuilder().lease(ME, NOW).updatedAt(NOW).build()).written();
            case SUSPEND -> runs.suspend(mine.toBuilder().status(RunStatus.SUSPENDED).updatedAt(NOW)
                    .wakeAt(NOW.plusSeconds(3600)).build(), true).written();
            case DEFER -> runs.defer(mine.toBuilder().status(RunStatus.PENDING).updatedAt(NOW)
                    .wakeAt(NOW.plusSeconds(5)).build()).written();
            case COMPLETE -> runs.finish(ended.toBuilder().status(RunStatus.COMPLETED).build()).written();
            case FAIL -> runs.finish(ended.toBuilder().status(RunStatus.FAILED).error("boom").build()).written();
            case TIME_OUT -> runs.finish(ended.toBuilder().status(RunStatus.FAILED)
                    .failure(new dev.kickoff.core.run.RunError("timed_out", "the run did not finish within its timeout"))
                    .build()).written();
            case COMPLETE_UNCLAIMED -> runs.finishUnclaimed(ended.toBuilder().status(RunStatus.COMPLETED).build(), seen)
                    .written();
            case FAIL_UNCLAIMED -> runs.finishUnclaimed(ended.toBuilder().status(RunStatus.FAILED).error("boom")
                    .build(), seen).written();
            case CANCEL -> runs.cancel(run.id(), new dev.kickoff.core.run.RunError("cancelled", "the run was cancelled"),
                    NOW).written();
            case AWAIT -> runs.awaitSignal(mine.toBuilder().status(RunStatus.SUSPENDED).updatedAt(NOW)
                    .wakeAt(NOW.plusSeconds(3600)).signals(run.signals().awaiting("approved")).build(),
                    run.signals().kept().size() + (guardHolds ? 0 : 1), true).written();
            case SIGNAL -> runs.signal(run.id(), approved(), true, NOW).written();
            case KEEP_SIGNAL -> runs.keepSignal(run.id(), approved(), true, NOW).written();
            case RECEIVE -> runs.receive(mine.toBuilder().updatedAt(NOW).lease(ME, NOW.plusSeconds(60))
                    .signals(run.signals().without("k1")).build(), 0, guardHolds ? "k1" : "k9").written();
            case RETRY -> runs.retry(run.toBuilder().status(RunStatus.PENDING).error(null).updatedAt(NOW)
                    .retries(1).build(), seen).written();
            case WATCH -> runs.watch(run.id(), NOW);
            case RECOVER -> {
                ActiveRuns.Snapshot snapshot = active.read(run.id()).orElse(null);
                if (snapshot != null && !guardHolds) {
                    table.client().updateItem(b -> b.tableName(table.name())
                            .key(DynamoTable.key(RunItems.pk(run.id()), RunItems.SK))
                            .updateExpression("SET updated_at = :now")
                            .expressionAttributeValues(Map.of(":now", Attrs.instant(NOW))));  // it moved since
                }
                yield snapshot != null && active.recordRecovery(snapshot, NOW);
            }
            case UNLIST -> active.unlist(run.id());
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void everyRowLandsAndLeavesTheRunInItsTargetState(Transition row) {
        Run run = row.from() == null ? run(IDS.incrementAndGet(), RunStatus.PENDING) : prepare(row.from(), row.guard(), true);

        assertThat(apply(row.event(), run, true)).as(row.toString()).isTrue();

        assertThat(runs.find(run.id()).orElseThrow().status()).isEqualTo(row.to());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("guardedRows")
    void everyRowsGuardMatters(Transition row) {
        Run run = prepare(row.from(), row.guard(), false);
        Map<String, AttributeValue> before = item(run.id());

        assertThat(apply(row.event(), run, false)).as(row + " with its guard broken").isFalse();

        if (row.event() != Event.RECOVER) {  // the test itself moved that run
            assertThat(item(run.id())).isEqualTo(before);
        }
    }

    @ParameterizedTest(name = "{1} from {0}")
    @MethodSource("refusedPairs")
    void everyPairThatIsNotARowIsRefused(RunStatus state, Event event) {
        if (state == null) {
            Run absent = run(IDS.incrementAndGet(), RunStatus.PENDING).toBuilder().lease(ME, NOW.minusSeconds(1)).build();
            assertThat(apply(event, absent, true)).isFalse();
            assertThat(item(absent.id())).as("nothing created").isNull();
            return;
        }
        Run run = prepare(state, event == Event.UNLIST ? Guard.LISTED : Guard.NONE, true);
        Map<String, AttributeValue> before = item(run.id());

        assertThat(apply(event, run, true)).as(event + " from " + state).isFalse();

        assertThat(item(run.id())).isEqualTo(before);
    }
}
