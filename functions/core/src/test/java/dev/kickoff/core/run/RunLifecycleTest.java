package dev.kickoff.core.run;

import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.ActiveRuns;
import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.RunStore.ClaimResult;
import dev.kickoff.core.run.RunLifecycle.Event;
import dev.kickoff.core.run.RunLifecycle.Guard;
import dev.kickoff.core.run.RunLifecycle.Transition;
import dev.kickoff.core.testing.InMemoryActiveRuns;
import dev.kickoff.core.testing.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lifecycle as a table: every row is driven through the store (its write lands and leaves the run in the row's
 * target state), every row's guard is shown to matter (the same write with the guard broken is refused), and every
 * (state, event) pair that is not a row is refused with the run left as it was. DynamoRunLifecycleTest does the same
 * against DynamoDB Local.
 */
class RunLifecycleTest {
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final String ME = "me";

    InMemoryRunStore store = new InMemoryRunStore();
    InMemoryActiveRuns active = new InMemoryActiveRuns(store);
    long nextId = 1000;

    static Stream<Transition> rows() {
        return RunLifecycle.TABLE.stream();
    }

    static Stream<Transition> guardedRows() {
        return RunLifecycle.TABLE.stream().filter(t -> t.guard() != Guard.NONE && t.from() != null);
    }

    /** Every (state, event) pair the table has no row for; "no run yet" is a state too (null). */
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

    /** A run in {@code status}, set up so that the guard of any row starting there holds (or fails, if asked). */
    Run prepare(RunStatus status, Guard guard, boolean guardHolds) {
        long id = nextId++;
        Run run = new Run(id, 1, 2, 3, false, 4, "api", "ci", "live", Json.object(), null, null, NOW.minusSeconds(60),
                status, null, null, List.of(), NOW.minusSeconds(60), null, null, 0, null, null);
        boolean leaseHeld = guard != Guard.LEASE_HELD || guardHolds;
        boolean leaseOver = guard != Guard.LEASE_EXPIRED || guardHolds;
        if (status == RunStatus.IN_PROGRESS) {
            run = run.toBuilder().lease(leaseHeld ? ME : "another worker",
                    leaseOver ? NOW.minusSeconds(1) : NOW.plusSeconds(60)).build();
        }
        if (status == RunStatus.SUSPENDED) {  // a wait that is over, or (its guard broken) an hour away
            run = run.toBuilder().wakeAt(guard == Guard.WAKE_DUE && !guardHolds ? NOW.plusSeconds(3600)
                    : NOW.minusSeconds(1)).build();
        }
        if (guard == Guard.DUE && !guardHolds) {
            run = run.toBuilder().wakeAt(NOW.plusSeconds(60)).build();  // waiting for a retry a minute from now
        }
        run = run.toBuilder().signals(signals(guard, guardHolds)).build();
        store.runs.put(id, run);
        boolean listed = guard == Guard.LISTED ? guardHolds : guard == Guard.NOT_LISTED && !guardHolds;
        if (listed) {
            store.listed.add(id);
            active.leftovers.add(id);
        }
        return run;
    }

    /**
     * The signals a prepared run holds: one kept ({@code k1}, the one RECEIVE takes), awaiting "approved" (the signal
     * SIGNAL and KEEP_SIGNAL send) or something else as the guard needs, or full for a broken SIGNAL_ROOM.
     */
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

    /** Applies {@code event}'s write to {@code run}; true when it landed. */
    boolean apply(Event event, Run run, boolean guardHolds) {
        Run mine = run.toBuilder().lease(ME, run.leaseUntil()).build();  // a lease-checked write is this worker's
        Run ended = mine.toBuilder().output(Json.object()).steps(List.of()).updatedAt(NOW).completedAt(NOW)
                .startedAt(NOW).attempts(1).build();
        Instant seen = guardHolds ? run.updatedAt() : run.updatedAt().minusMillis(1);
        return switch (event) {
            case CREATE -> {
                try {
                    store.create(run);
                    yield true;
                } catch (DuplicateIdException e) {
                    yield false;
                }
            }
            case CLAIM -> store.claim(run.id(), ME, NOW, NOW.plusSeconds(60)) instanceof ClaimResult.Claimed;
            case CHECKPOINT -> store.checkpoint(mine.toBuilder().updatedAt(NOW).build()).written();
            case RELEASE -> store.release(mine).written();
            case YIELD -> store.yieldLease(mine.toBuilder().lease(ME, NOW).build()).written();
            case SUSPEND -> store.suspend(mine.toBuilder().status(RunStatus.SUSPENDED).updatedAt(NOW)
                    .wakeAt(NOW.plusSeconds(3600)).build(), true).written();
            case DEFER -> store.defer(mine.toBuilder().status(RunStatus.PENDING).updatedAt(NOW)
                    .wakeAt(NOW.plusSeconds(5)).build()).written();
            case COMPLETE -> store.finish(ended.toBuilder().status(RunStatus.COMPLETED).build()).written();
            case FAIL -> store.finish(ended.toBuilder().status(RunStatus.FAILED).error("boom").build()).written();
            case TIME_OUT -> store.finish(ended.toBuilder().status(RunStatus.FAILED)
                    .failure(new RunError(RunError.TIMED_OUT, "the run did not finish within its timeout")).build())
                    .written();
            case COMPLETE_UNCLAIMED -> store.finishUnclaimed(ended.toBuilder().status(RunStatus.COMPLETED).build(), seen)
                    .written();
            case FAIL_UNCLAIMED -> store.finishUnclaimed(ended.toBuilder().status(RunStatus.FAILED).error("boom")
                    .build(), seen).written();
            case CANCEL -> store.cancel(run.id(), new dev.kickoff.core.run.RunError("cancelled", "the run was cancelled"),
                    NOW).written();
            case AWAIT -> store.awaitSignal(mine.toBuilder().status(RunStatus.SUSPENDED).updatedAt(NOW)
                    .wakeAt(NOW.plusSeconds(3600)).signals(run.signals().awaiting("approved")).build(),
                    run.signals().kept().size() + (guardHolds ? 0 : 1), true).written();
            case SIGNAL -> store.signal(run.id(), approved(), true, NOW).written();
            case KEEP_SIGNAL -> store.keepSignal(run.id(), approved(), true, NOW).written();
            case RECEIVE -> store.receive(mine.toBuilder().updatedAt(NOW).signals(run.signals().without("k1")).build(),
                    0, guardHolds ? "k1" : "k9").written();
            case RETRY -> store.retry(run.toBuilder().status(RunStatus.PENDING).error(null).updatedAt(NOW)
                    .retries(1).build(), seen).written();
            case WATCH -> store.watch(run.id(), NOW);
            case RECOVER -> {
                ActiveRuns.Snapshot snapshot = active.read(run.id()).orElse(null);
                if (snapshot != null && !guardHolds) {
                    store.runs.put(run.id(), run.toBuilder().updatedAt(NOW).build());  // it moved since the read
                }
                yield snapshot != null && active.recordRecovery(snapshot, NOW);
            }
            case UNLIST -> active.unlist(run.id());
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void everyRowLandsAndLeavesTheRunInItsTargetState(Transition row) {
        Run run = row.from() == null
                ? new Run(nextId++, 1, 2, 3, false, 4, "api", "ci", "live", Json.object(), null, null, NOW,
                RunStatus.PENDING, null, null, List.of(), NOW, null, null, 0, null, null)
                : prepare(row.from(), row.guard(), true);

        assertThat(apply(row.event(), run, true)).as(row.toString()).isTrue();

        assertThat(store.find(run.id()).orElseThrow().status()).isEqualTo(row.to());
        assertThat(row.event().actors()).isNotEmpty();
        assertThat(row.write()).isNotBlank();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("guardedRows")
    void everyRowsGuardMatters(Transition row) {
        Run run = prepare(row.from(), row.guard(), false);

        assertThat(apply(row.event(), run, false)).as(row + " with its guard broken").isFalse();

        assertThat(store.find(run.id()).orElseThrow().status()).isEqualTo(row.from());
    }

    @ParameterizedTest(name = "{1} from {0}")
    @MethodSource("refusedPairs")
    void everyPairThatIsNotARowIsRefused(RunStatus state, Event event) {
        if (state == null) {
            // No run: every write but CREATE has nothing to apply to.
            Run absent = new Run(nextId++, 1, 2, 3, false, 4, "api", "ci", "live", Json.object(), null, null, NOW,
                    RunStatus.PENDING, null, null, List.of(), NOW, null, null, 0, null, null).toBuilder()
                    .lease(ME, NOW.minusSeconds(1)).build();
            assertThat(apply(event, absent, true)).isFalse();
            assertThat(store.find(absent.id())).isEmpty();
            return;
        }
        // Guards set up to hold wherever they can, so that only the state refuses the write.
        Run run = prepare(state, Guard.LEASE_HELD, true).toBuilder().lease(ME, NOW.minusSeconds(1)).build();
        store.runs.put(run.id(), run);
        if (event == Event.UNLIST) {
            store.listed.add(run.id());
            active.leftovers.add(run.id());
        }

        assertThat(apply(event, run, true)).as(event + " from " + state).isFalse();

        assertThat(store.find(run.id()).orElseThrow()).isEqualTo(run);
    }

    @Test
    void eachStateHasAtMostOneRowPerEventAndEveryEventHasARow() {
        Set<String> pairs = new HashSet<>();
        for (Transition t : RunLifecycle.TABLE) {
            assertThat(pairs.add(t.from() + "/" + t.event())).as("one row for " + t.from() + " " + t.event()).isTrue();
        }
        for (Event event : Event.values()) {
            assertThat(RunLifecycle.rows(event)).as(event.name()).isNotEmpty();
        }
        assertThat(RunLifecycle.sources(Event.CLAIM)).containsExactlyInAnyOrder(RunStatus.PENDING, RunStatus.IN_PROGRESS,
                RunStatus.SUSPENDED);
    }

    @Test
    void aTerminalStateIsLeftOnlyByAClientsRetryOfAFailedRun() {
        for (Transition t : RunLifecycle.TABLE) {
            if (t.from() != null && t.from().terminal()) {
                assertThat(t.event()).as(t.toString()).isIn(Event.UNLIST, Event.RETRY);
                assertThat(t.to()).as(t.toString()).isEqualTo(t.event() == Event.RETRY ? RunStatus.PENDING : t.from());
            }
        }
        assertThatThrownBy(() -> RunLifecycle.TABLE.add(RunLifecycle.TABLE.getFirst()))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
