package dev.kickoff.core.engine;

import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.port.RunStore.WriteResult;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.StepRecord;
import dev.kickoff.core.workflow.VersionCache;
import dev.kickoff.core.workflow.WorkflowVersion;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * The strategy a run's first delivery tries before {@link ClaimedExecution}: a pending run whose steps are all pure
 * (and that belongs to no case) is executed from the read the delivery made anyway and ended with one conditional
 * write ({@code COMPLETE_UNCLAIMED} / {@code FAIL_UNCLAIMED}: still pending, unchanged since the read), without a
 * claim. That is one write fewer per run, a third of the worker's writes for a single-step run, and safe without a
 * lease: pure steps touch nothing outside the run, so a duplicate execution elsewhere computes the same result and
 * only one of the two writes lands. When the run does not qualify, or the write is refused, or the deadline comes
 * first, it is {@link Attempt.NotSettled not settled} and the delivery takes the claimed path (the pure steps are
 * simply computed again there).
 */
final class OptimisticPureExecution {
    /** Whether this strategy settled the delivery. */
    sealed interface Attempt {
        record Settled(Outcome outcome) implements Attempt {
        }

        /**
         * Nothing was written: the run did not qualify, moved since it was read, or ran out of time. In the last case
         * {@code computed} holds the steps done in memory (pure: the claimed path may keep them if the run it claims
         * has the same steps done as {@code basis}, the run as read); otherwise it is empty.
         */
        record NotSettled(String why, List<StepRecord> basis, List<StepRecord> computed) implements Attempt {
            NotSettled(String why) {
                this(why, List.of(), List.of());
            }
        }
    }

    private final RunStore runs;
    private final VersionCache versions;
    private final StepLoop steps;
    private final Clock clock;
    private final RunObserver observer;

    OptimisticPureExecution(RunStore runs, VersionCache versions, StepLoop steps, Clock clock, RunObserver observer) {
        this.runs = runs;
        this.versions = versions;
        this.steps = steps;
        this.clock = clock;
        this.observer = observer;
    }

    /** @param read the run as the delivery read it (consistently) */
    Attempt attempt(Run read, Delivery delivery) {
        if (read.status() != RunStatus.PENDING || read.caseId() != null || read.leaseOwner() != null
                || (read.wakeAt() != null && read.wakeAt().isAfter(clock.instant()))
                || (delivery.deadline() != null && !clock.instant().isBefore(delivery.deadline()))) {
            return new Attempt.NotSettled("not a fresh pending run of its own");
        }
        Optional<WorkflowVersion> version = versions.get(read.orgId(), read.workflowId(), read.workflowVersion());
        if (version.isEmpty() || !steps.allPure(version.get().definition())) {
            return new Attempt.NotSettled("not made of pure steps only");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Run unclaimed = read.toBuilder().startedAt(now).updatedAt(now).attempts(read.attempts() + 1).build();
        StepLoop.Progress progress = steps.run(unclaimed, version.get().definition(), null, delivery.lastAttempt(),
                delivery.deadline(), (run, records) -> {
                    throw new IllegalStateException("a pure step asked for a checkpoint");
                }, run -> {
                    // nothing to release: no lease was taken
                });
        if (progress instanceof StepLoop.Progress.Paused paused) {
            return new Attempt.NotSettled("the deadline came first", read.steps(), paused.records());
        }
        if (!(progress instanceof StepLoop.Progress.Ended e)) {
            return new Attempt.NotSettled("the run moved");
        }
        Run finished = ClaimedExecution.ended(unclaimed, e.records(), e.status(), e.output(), e.error(),
                clock.instant());
        WriteResult result = runs.finishUnclaimed(finished, read.updatedAt());
        if (!result.written() && !ClaimedExecution.isOwnEnding(finished, result)) {
            return new Attempt.NotSettled("the run moved since it was read");
        }
        observer.runFinished(finished);
        return new Attempt.Settled(new Outcome.Finished(finished));
    }
}
