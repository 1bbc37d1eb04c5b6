package dev.kickoff.core.run;

import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.port.RunQueue;

import java.util.function.Function;

/**
 * The one way a run comes to exist, whatever starts it (an API request with or without an idempotency key, a case,
 * a replay), and its one write order: the run's message is sent first, then the run is stored
 * ({@link RunLifecycle.Event#CREATE CREATE}). Queued first, a run can never be stored and not queued, whatever happens
 * to the process between the two calls, so no run needs an entry in the active-runs listing to be found again. The
 * other way round, a message can name a run that was never stored (the write failed, or the process died before it):
 * the worker drops such a message once it is older than any write could take, and the caller was answered with an
 * error. (A write that lands although its call failed, say at the function's timeout, leaves a run that does execute
 * while its caller saw an error: an idempotency key makes the retry safe.)
 */
public final class RunLauncher {
    private final RunQueue queue;
    private final RunObserver observer;

    public RunLauncher(RunQueue queue, RunObserver observer) {
        this.queue = queue;
        this.observer = observer;
    }

    /**
     * Queues {@code run}, then stores it with {@code store}. A taken ID ({@link dev.kickoff.core.port.DuplicateIdException})
     * passes through for the caller to draw again; if the queue refuses, nothing is stored and the caller is told to
     * retry ({@code refusal} says what did not happen).
     */
    public <T> T launch(Run run, Function<Run, T> store, String refusal) {
        try {
            queue.enqueue(run.orgId(), run.id());
        } catch (RuntimeException e) {
            throw new KickoffException(Reason.UNAVAILABLE, refusal + " Retry the request.");
        }
        T stored = store.apply(run);
        observer.runCreated(run);
        return stored;
    }
}
