package dev.kickoff.core.run;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The run's state machine, written down: every way a run changes is a row (state, event) → state, with the guard
 * its write checks and the write itself, as in Temporal's state machine definitions. Nothing else moves a run.
 *
 * <p>The table is executable, not a comment: the DynamoDB adapter builds each write's condition from the rows of
 * its event ({@code status = <from> AND <guard>}, OR-ed over the rows), the in-memory store used by the engine's
 * tests checks the same guards, and {@code RunLifecycleTest} drives every row and every pair that is not a row
 * through both. A (state, event) pair that is not here is refused by the write's condition, so a duplicate or late
 * message can never move a run backwards. docs/run-lifecycle.md draws the table.
 */
public final class RunLifecycle {
    private RunLifecycle() {
    }

    /** Who makes a write. */
    public enum Actor {
        /** The API function, on a client's request. */
        API,
        /** The worker function, on a run's message. */
        WORKER,
        /** The sweeper function, on its schedule. */
        SWEEPER
    }

    /** What happens to a run. Each event is one conditional write (see {@link Transition#write()}). */
    public enum Event {
        /** A new run is stored, pending. Its message was sent first, so a stored run is always queued. */
        CREATE(Actor.API),
        /** A worker takes the run under a lease (the sweeper too, to give a run up). */
        CLAIM(Actor.WORKER, Actor.SWEEPER),
        /** The lease holder saves the steps done so far and extends its lease. */
        CHECKPOINT(Actor.WORKER),
        /** The lease holder gives its lease up early after a transient failure, so a retry resumes at once. */
        RELEASE(Actor.WORKER),
        /** The lease holder saves its steps and ends its lease at its invocation's deadline; a new message follows. */
        YIELD(Actor.WORKER),
        /**
         * The lease holder puts the run back to pending until a wake time (a step asked to be retried then); the
         * message for that time was sent first, held back.
         */
        DEFER(Actor.WORKER),
        /**
         * The lease holder suspends the run until a wake time (a {@code delay} step): no Lambda holds the wait. A wait
         * of up to 15 minutes has its message sent first, held back; a longer one is listed in the wake-up index, which
         * the sweeper reads for runs due soon.
         */
        SUSPEND(Actor.WORKER),
        /**
         * The lease holder suspends the run at a {@code wait_for_signal} step until its signal comes (or the step's
         * timeout: then a wake time, arranged as SUSPEND's): no Lambda holds the wait. Refused if any signal reached
         * the run since the worker read it, so that a signal can never slip in between the worker's look and its
         * sleep; the worker then looks again.
         */
        AWAIT(Actor.WORKER),
        /**
         * A client's signal for a run suspended waiting for it: kept on the run, which goes back to pending (listed
         * among the active runs, since its message is sent after the write) and leaves the wake-up index.
         */
        SIGNAL(Actor.API),
        /**
         * A client's signal for an unfinished run that is not waiting for it (not at that step yet, or waiting for
         * another signal or a delay): kept on the run until a {@code wait_for_signal} step of its name takes it.
         */
        KEEP_SIGNAL(Actor.API),
        /**
         * The lease holder's {@code wait_for_signal} step takes a kept signal: the checkpoint that records the step
         * removes the signal, so it is taken once.
         */
        RECEIVE(Actor.WORKER),
        /**
         * The lease holder ends a run that has not finished within its workflow's {@code timeout} as failed
         * ({@code timed_out}): checked before every step and when the run wakes (a wait never outlasts the timeout).
         */
        TIME_OUT(Actor.WORKER),
        /** The lease holder ends the run completed. */
        COMPLETE(Actor.WORKER),
        /** The lease holder (or the sweeper, giving a run up) ends the run failed; a case run's case goes to Error. */
        FAIL(Actor.WORKER, Actor.SWEEPER),
        /** A pure run's first delivery ends it completed from a read of it, without a claim. */
        COMPLETE_UNCLAIMED(Actor.WORKER),
        /** A pure run's first delivery ends it failed from a read of it, without a claim. */
        FAIL_UNCLAIMED(Actor.WORKER),
        /**
         * A client cancels an unfinished run: it ends failed ({@code cancelled}) at once; a step in flight finishes
         * but its worker's next write is refused, so its result is discarded. A case run's case goes to Error.
         */
        CANCEL(Actor.API),
        /**
         * A client retries a failed run from its failed step (Step Functions' redrive): back to pending, every earlier
         * step's record kept, listed (its message is sent after the write, so the sweeper finds it should that fail).
         */
        RETRY(Actor.API),
        /** A redelivered or dead-lettered run is listed among the active runs, where the sweeper looks. */
        WATCH(Actor.WORKER, Actor.SWEEPER),
        /** The sweeper counts a recovery of a run nothing moves any more, then queues it again. */
        RECOVER(Actor.SWEEPER),
        /** The sweeper takes a finished run that is still listed out of the listing. */
        UNLIST(Actor.SWEEPER);

        private final Set<Actor> actors;

        Event(Actor first, Actor... more) {
            this.actors = EnumSet.of(first, more);
        }

        public Set<Actor> actors() {
            return actors;
        }
    }

    /** What a write's condition checks besides the run's status. */
    public enum Guard {
        /** Nothing but the status. */
        NONE("—"),
        /** A wake time that has come ({@code wake_at <= now}): a suspended run's wait is over. */
        WAKE_DUE("its wake time has come"),
        /** Not waiting: no wake time, or one that has come ({@code wake_at <= now}). */
        DUE("due: no wake time in the future"),
        /** No item has the run's key. */
        ID_FREE("no item has the run's ID"),
        /** The lease has ended ({@code lease_until <= now}): the worker that held it died, yielded or gave it up. */
        LEASE_EXPIRED("the lease has run out"),
        /** The writer still holds the lease ({@code lease_owner} is its own). */
        LEASE_HELD("the writer holds the lease"),
        /** {@code updated_at} is what the writer read: nothing moved the run since. */
        UNCHANGED("unchanged since the writer read it"),
        /** Status, {@code updated_at}, lease and recovery count are what the sweeper read. */
        QUIET("quiet: as the sweeper read it"),
        /** Not in the active-runs listing. */
        NOT_LISTED("not listed"),
        /** In the active-runs listing. */
        LISTED("listed"),
        /** LEASE_HELD, and as many kept signals as the writer read: none came since. */
        LEASE_HELD_NO_NEW_SIGNAL("the writer holds the lease, and no signal came since it read the run"),
        /** LEASE_HELD, and the signal the writer takes is kept where it read it. */
        LEASE_HELD_SIGNAL_KEPT("the writer holds the lease, and the signal it takes is kept where it read it"),
        /** Waiting for this signal's name; room for one more kept signal; the signal's key (if any) not seen yet. */
        AWAITED("it waits for this signal; room for it; its key unused"),
        /** Not waiting for this signal's name; room for one more kept signal; its key not seen yet. */
        NOT_AWAITED("it waits for something else; room for the signal; its key unused"),
        /** Room for one more kept signal; the signal's key not seen yet. */
        SIGNAL_ROOM("room for the signal; its key unused");

        private final String text;

        Guard(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /**
     * One row.
     *
     * @param from  the status the write requires (null: no run exists yet)
     * @param guard what the write's condition checks besides the status
     * @param to    the status after the write
     * @param write the write, in DynamoDB's terms (docs/run-lifecycle.md has the full expressions)
     */
    public record Transition(RunStatus from, Event event, Guard guard, RunStatus to, String write) {
    }

    private static final RunStatus NONE = null;
    private static final RunStatus PENDING = RunStatus.PENDING;
    private static final RunStatus RUNNING = RunStatus.IN_PROGRESS;
    private static final RunStatus COMPLETED = RunStatus.COMPLETED;
    private static final RunStatus SUSPENDED = RunStatus.SUSPENDED;
    private static final RunStatus FAILED = RunStatus.FAILED;

    /** Every transition there is. Order: by event, then by source state, as docs/run-lifecycle.md lists them. */
    public static final List<Transition> TABLE = List.of(
            new Transition(NONE, Event.CREATE, Guard.ID_FREE, PENDING,
                    "PutItem attribute_not_exists(pk) (listed in the runs list gsi4 by the same write), after SendMessage"
                            + " (a case run: TransactWriteItems with its case)"),
            new Transition(PENDING, Event.CLAIM, Guard.DUE, RUNNING,
                    "UpdateItem SET status, lease_owner, lease_until, attempts + 1, started_at if unset, updated_at"
                            + " REMOVE wake_at, wait_signal"),
            new Transition(RUNNING, Event.CLAIM, Guard.LEASE_EXPIRED, RUNNING,
                    "the same UpdateItem"),
            new Transition(SUSPENDED, Event.CLAIM, Guard.WAKE_DUE, RUNNING,
                    "the same UpdateItem, which also leaves the wake-up index (REMOVE wake_pk, wake_sk)"),
            new Transition(RUNNING, Event.CHECKPOINT, Guard.LEASE_HELD, RUNNING,
                    "UpdateItem SET steps, lease_until, updated_at"),
            new Transition(RUNNING, Event.RELEASE, Guard.LEASE_HELD, RUNNING,
                    "UpdateItem SET lease_until = 0"),
            new Transition(RUNNING, Event.YIELD, Guard.LEASE_HELD, RUNNING,
                    "UpdateItem SET steps, lease_until = now, updated_at; then SendMessage"),
            new Transition(RUNNING, Event.DEFER, Guard.LEASE_HELD, PENDING,
                    "SendMessage (DelaySeconds up to 900); then UpdateItem SET status, steps, wake_at, updated_at"
                            + " REMOVE lease_owner, lease_until"),
            new Transition(RUNNING, Event.SUSPEND, Guard.LEASE_HELD, SUSPENDED,
                    "SendMessage (DelaySeconds) if the wait is 15 minutes at most; then UpdateItem SET status, steps,"
                            + " wake_at, updated_at (and wake_pk, wake_sk for a longer wait) REMOVE lease_owner, lease_until"),
            new Transition(RUNNING, Event.AWAIT, Guard.LEASE_HELD_NO_NEW_SIGNAL, SUSPENDED,
                    "SendMessage (DelaySeconds) if its timeout is 15 minutes away at most; then UpdateItem SET status,"
                            + " steps, wait_signal, updated_at (wake_at with a timeout, and wake_pk, wake_sk for a longer"
                            + " one) REMOVE lease_owner, lease_until, gsi2pk, gsi2sk"),
            new Transition(SUSPENDED, Event.SIGNAL, Guard.AWAITED, PENDING,
                    "UpdateItem SET status, signals = list_append(signals, :signal), updated_at, gsi2pk, gsi2sk"
                            + " ADD signal_keys REMOVE wait_signal, wake_at, wake_pk, wake_sk; then SendMessage"),
            new Transition(PENDING, Event.KEEP_SIGNAL, Guard.SIGNAL_ROOM, PENDING,
                    "UpdateItem SET signals = list_append(signals, :signal), updated_at ADD signal_keys"),
            new Transition(RUNNING, Event.KEEP_SIGNAL, Guard.SIGNAL_ROOM, RUNNING,
                    "the same UpdateItem"),
            new Transition(SUSPENDED, Event.KEEP_SIGNAL, Guard.NOT_AWAITED, SUSPENDED,
                    "the same UpdateItem"),
            new Transition(RUNNING, Event.RECEIVE, Guard.LEASE_HELD_SIGNAL_KEPT, RUNNING,
                    "UpdateItem SET steps, lease_until, updated_at REMOVE signals[i] (the CHECKPOINT that records the"
                            + " step)"),
            new Transition(RUNNING, Event.COMPLETE, Guard.LEASE_HELD, COMPLETED,
                    "UpdateItem SET status, output, steps, completed_at; REMOVE lease_owner, lease_until, error, wait_signal,"
                            + " gsi2pk, gsi2sk"),
            new Transition(RUNNING, Event.FAIL, Guard.LEASE_HELD, FAILED,
                    "the same UpdateItem with error; a case run's: TransactWriteItems with its case to Error"),
            new Transition(RUNNING, Event.TIME_OUT, Guard.LEASE_HELD, FAILED,
                    "the FAIL write, with error_code timed_out"),
            new Transition(PENDING, Event.COMPLETE_UNCLAIMED, Guard.UNCHANGED, COMPLETED,
                    "UpdateItem SET status, output, steps, started_at, attempts, completed_at; REMOVE gsi2pk, gsi2sk"),
            new Transition(PENDING, Event.FAIL_UNCLAIMED, Guard.UNCHANGED, FAILED,
                    "the same UpdateItem with error"),
            new Transition(PENDING, Event.CANCEL, Guard.NONE, FAILED,
                    "UpdateItem SET status, error, error_code = cancelled, updated_at, completed_at"
                            + " REMOVE lease_owner, lease_until, wake_at, wait_signal, gsi2pk, gsi2sk (a case run's: with"
                            + " its case)"),
            new Transition(RUNNING, Event.CANCEL, Guard.NONE, FAILED,
                    "the same UpdateItem: the lease holder's next write is refused"),
            new Transition(SUSPENDED, Event.CANCEL, Guard.NONE, FAILED,
                    "the same UpdateItem (it also leaves the wake-up index)"),
            new Transition(FAILED, Event.RETRY, Guard.UNCHANGED, PENDING,
                    "UpdateItem SET status, steps (the failed one dropped), retries + 1, updated_at, gsi2pk, gsi2sk"
                            + " REMOVE error, error_code, output, completed_at; then SendMessage"),
            new Transition(PENDING, Event.WATCH, Guard.NOT_LISTED, PENDING,
                    "UpdateItem SET gsi2pk = ACTIVE#<id mod 64>, gsi2sk = <now>#<id>"),
            new Transition(RUNNING, Event.WATCH, Guard.NOT_LISTED, RUNNING,
                    "the same UpdateItem"),
            new Transition(PENDING, Event.RECOVER, Guard.QUIET, PENDING,
                    "UpdateItem SET recoveries + 1, recovered_at; then SendMessage"),
            new Transition(RUNNING, Event.RECOVER, Guard.QUIET, RUNNING,
                    "the same UpdateItem; then SendMessage"),
            new Transition(COMPLETED, Event.UNLIST, Guard.LISTED, COMPLETED,
                    "UpdateItem REMOVE gsi2pk, gsi2sk"),
            new Transition(FAILED, Event.UNLIST, Guard.LISTED, FAILED,
                    "the same UpdateItem"));

    /** The row for {@code (from, event)}; empty when the table has none, i.e. when the write must be refused. */
    public static Optional<Transition> find(RunStatus from, Event event) {
        for (Transition t : TABLE) {
            if (t.from() == from && t.event() == event) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The rows of one event: the states its write accepts, each with its guard. */
    public static List<Transition> rows(Event event) {
        List<Transition> rows = new ArrayList<>();
        for (Transition t : TABLE) {
            if (t.event() == event) {
                rows.add(t);
            }
        }
        return rows;
    }

    /** The statuses {@code event} may start from. */
    public static Set<RunStatus> sources(Event event) {
        Set<RunStatus> sources = EnumSet.noneOf(RunStatus.class);
        for (Transition t : rows(event)) {
            if (t.from() != null) {
                sources.add(t.from());
            }
        }
        return sources;
    }
}
