package dev.kickoff.lambda;

import com.amazonaws.services.lambda.runtime.Context;

import java.time.Duration;
import java.time.Instant;

/** When an invocation must stop starting work: the one place that reads the time Lambda has left. */
public final class Deadlines {
    private Deadlines() {
    }

    /**
     * The invocation's end less a margin for the work in flight to finish cleanly: a quarter of the time left, at most
     * {@code maxMargin} (the worker: 5 s of a 30 s timeout; the sweeper: 10 s of 60 s). Null without a context (a
     * caller that is not Lambda): no deadline.
     */
    public static Instant of(Instant now, Context context, Duration maxMargin) {
        if (context == null) {
            return null;
        }
        Duration remaining = Duration.ofMillis(Math.max(0, context.getRemainingTimeInMillis()));
        Duration margin = remaining.dividedBy(4);
        return now.plus(remaining).minus(margin.compareTo(maxMargin) > 0 ? maxMargin : margin);
    }
}
