package dev.kickoff.core.engine;

import dev.kickoff.core.port.CaseStore;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.port.RunQueue;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.workflow.VersionCache;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Executes one delivery of a run: the one execution path. A first delivery reads the run and lets the optimistic
 * strategy ({@link OptimisticPureExecution}: a pure run ends with one conditional write, no claim) settle it if it
 * can; everything else, and whatever that strategy leaves unsettled, goes through {@link ClaimedExecution}: claim,
 * steps, checkpoints, one lease-checked write to end or yield. A redelivery first lists the run for the sweeper
 * (something went wrong with an earlier delivery). Every write is a row of {@link dev.kickoff.core.run.RunLifecycle}.
 */
public final class RunExecutor {
    /** Whole-run state beyond this is refused, keeping a run inside one DynamoDB item (400 KB). */
    public static final int MAX_RUN_STATE_BYTES = ClaimedExecution.MAX_RUN_STATE_BYTES;

    private final RunStore runs;
    private final Clock clock;
    private final OptimisticPureExecution optimistic;
    private final ClaimedExecution claimed;

    /**
     * @param cases cases, for runs started by one (null: this executor runs no case runs)
     * @param lease how long a claim holds a run
     */
    public RunExecutor(RunStore runs, CaseStore cases, VersionCache versions, StepRegistry registry, Clock clock,
                       Duration lease, RunObserver observer) {
        this(runs, cases, versions, registry, clock, lease, observer, (org, run) -> {
            throw new IllegalStateException("this executor has no queue to defer runs on");
        });
    }

    /** @param queue where a run that yields until later (a step's retry) has its message sent, held back */
    public RunExecutor(RunStore runs, CaseStore cases, VersionCache versions, StepRegistry registry, Clock clock,
                       Duration lease, RunObserver observer, RunQueue queue) {
        this.runs = runs;
        this.clock = clock;
        StepLoop steps = new StepLoop(registry, clock, observer);
        this.optimistic = new OptimisticPureExecution(runs, versions, steps, clock, observer);
        this.claimed = new ClaimedExecution(runs, cases, versions, steps, clock, lease, observer, queue);
    }

    /**
     * Executes the delivery. A step that throws something other than {@link StepFailedException} is transient: the
     * lease (if any) is released and the exception propagates, so the message is retried and the run resumes at that
     * step; on the {@link Delivery#lastAttempt() last attempt} the run is ended as failed instead.
     */
    public Outcome execute(Delivery delivery) {
        if (delivery.first()) {
            Run read = runs.findQueued(delivery.runId()).orElse(null);
            if (read == null) {
                return new Outcome.Missing();
            }
            if (read.status().terminal()) {
                return new Outcome.AlreadyFinished(read);
            }
            return switch (optimistic.attempt(read, delivery)) {
                case OptimisticPureExecution.Attempt.Settled settled -> settled.outcome();
                // The pure steps it did before the deadline are kept by the claim (they are what a claim would
                // compute again), so the yield that follows saves them instead of throwing them away.
                case OptimisticPureExecution.Attempt.NotSettled n -> claimed.execute(delivery, n.basis(), n.computed());
            };
        }
        watch(delivery.runId());
        return claimed.execute(delivery, List.of(), List.of());
    }

    /** {@link #execute(Delivery)} of {@link Delivery#claimed}: what tools and tests use to run a run by hand. */
    public Outcome execute(long runId, String owner) {
        return execute(Delivery.claimed(runId, owner));
    }

    /**
     * Ends a run that cannot be executed as failed with {@code reason} (the sweeper, giving a run up): it is claimed
     * first, so a run a live worker holds is left to that worker ({@link Outcome.Busy}), and a finished one is not
     * touched; a case run parks its case in {@code Error} in the same write.
     */
    public Outcome giveUp(long runId, String owner, String reason) {
        return claimed.giveUp(runId, owner, reason);
    }

    /**
     * {@code WATCH}: lists the run among the active runs (a redelivery: something may have gone wrong with an earlier
     * one), so that the sweeper finds it if this message too is lost to the dead-letter queue. Never fails the
     * delivery.
     */
    private void watch(long runId) {
        try {
            runs.watch(runId, clock.instant());
        } catch (RuntimeException e) {
            // the delivery goes on; a later redelivery tries again
        }
    }
}
