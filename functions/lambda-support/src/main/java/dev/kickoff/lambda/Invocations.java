package dev.kickoff.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The skeleton every handler shares, so that the handlers are not copies of each other: an invocation runs inside
 * Powertools' logging context (its request fields on every line, the batch's threads included), with a deadline
 * taken from the time Lambda gives it, and its metrics are flushed at its end whatever happens. The SQS and Streams
 * handlers add the batch around their per-record work ({@link SqsBatch}, {@link StreamBatch}).
 */
public final class Invocations {
    private Invocations() {
    }

    /**
     * Runs {@code body} for one invocation: inside Powertools' logging context when there is a Lambda context, then
     * {@code flush} (the metrics), which never fails the invocation it ends.
     */
    public static <T> T run(Context context, Runnable flush, Supplier<T> body) {
        try {
            return context == null ? body.get() : PowertoolsLogging.withLogging(context, body);
        } finally {
            flush.run();
        }
    }

    /**
     * One invocation over an SQS batch: {@code processor} gets each message and the invocation's deadline
     * ({@link Deadlines#of}: the end less at most {@code maxMargin}); partial batch failures are reported.
     */
    public static SQSBatchResponse sqs(Context context, Clock clock, Duration maxMargin, Runnable flush,
                                       SQSEvent event, SqsBatch.MessageProcessor processor) {
        Instant deadline = Deadlines.of(clock.instant(), context, maxMargin);
        return run(context, flush, () -> SqsBatch.process(event, deadline, processor));
    }

    /** One invocation over a DynamoDB stream batch, in order, reporting the first failure (see {@link StreamBatch}). */
    public static StreamsEventResponse streams(Context context, Runnable flush, DynamodbEvent event,
                                               StreamBatch.RecordProcessor processor) {
        return run(context, flush, () -> StreamBatch.process(event, processor));
    }

    /** One invocation of a scheduled function: {@code body} gets the deadline. */
    public static <T> T scheduled(Context context, Clock clock, Duration maxMargin, Runnable flush,
                                  Function<Instant, T> body) {
        Instant deadline = Deadlines.of(clock.instant(), context, maxMargin);
        return run(context, flush, () -> body.apply(deadline));
    }
}
