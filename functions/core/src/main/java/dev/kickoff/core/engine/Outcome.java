package dev.kickoff.core.engine;

import dev.kickoff.core.run.Run;

import java.time.Instant;

/**
 * What one delivery of a run came to, said plainly enough for the worker to decide what to do with the message.
 * Every case is one that can happen; the worker's switch over them is exhaustive.
 */
public sealed interface Outcome {
    /** The run as this delivery left or found it (null when there is none). */
    Run run();

    /** This delivery brought the run to a terminal state. */
    record Finished(Run run) implements Outcome {
    }

    /** The run was terminal before this delivery (a duplicate or late message). */
    record AlreadyFinished(Run run) implements Outcome {
    }

    /** Another worker holds a live lease on the run; try again at {@code retryAt}, when it runs out. */
    record Busy(Run run, Instant retryAt) implements Outcome {
    }

    /**
     * This delivery put the run back to pending until {@code wakeAt} (a step asked to be retried then) and sent its
     * message for that time: this one is done.
     */
    record Deferred(Run run, Instant wakeAt) implements Outcome {
    }

    /**
     * The run waits until {@code wakeAt}: this message came early (or is an extra one); its own message for that time
     * is on the queue. It can come back then.
     */
    record NotDue(Run run, Instant wakeAt) implements Outcome {
    }

    /**
     * This delivery suspended the run until {@code wakeAt} (a {@code delay}), or until a signal comes (a
     * {@code wait_for_signal}; {@code wakeAt} its timeout, null: none): its wake-up is arranged.
     */
    record Suspended(Run run, Instant wakeAt) implements Outcome {
    }

    /** The run is suspended waiting for a signal, with no timeout due: nothing for a worker to do. */
    record NotRunnable(Run run) implements Outcome {
    }

    /** No such run (or not yet: runs are queued before they are stored). */
    record Missing() implements Outcome {
        @Override
        public Run run() {
            return null;
        }
    }

    /**
     * The deadline came before the run's end: the steps done so far are saved and the lease ends now. The run must be
     * queued again; its next delivery resumes at the first step not done.
     */
    record Yielded(Run run) implements Outcome {
    }

    /**
     * This worker's lease ran out while it worked (it stalled past it) and another worker took the run over: that
     * worker carries on; nothing this one did after its lease ended was saved.
     */
    record LeaseLost(Run run) implements Outcome {
    }

    /**
     * Someone else ended the run while this worker had it (the worker that took it over finished it): this worker's
     * result was not saved, and the run needs nothing more.
     */
    record Superseded(Run run) implements Outcome {
    }
}
