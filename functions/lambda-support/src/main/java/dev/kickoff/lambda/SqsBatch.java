package dev.kickoff.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An SQS batch's messages processed concurrently, one virtual thread each (they mostly wait on the network), with the
 * invocation's logging context carried into each ({@link Mdc}), and the messages that must stay reported as partial
 * batch failures (the event source mapping has {@code ReportBatchItemFailures}). A message whose processing throws is
 * kept, and logged.
 */
public final class SqsBatch {
    private static final Logger LOG = LoggerFactory.getLogger(SqsBatch.class);

    /** What a function does with one message. */
    @FunctionalInterface
    public interface MessageProcessor {
        /**
         * @param deadline when the invocation must stop starting work (null: none)
         * @return true when the message can be deleted, false to keep it (it comes back)
         */
        boolean process(SQSEvent.SQSMessage message, Instant deadline);
    }

    private SqsBatch() {
    }

    /** Which delivery of its message this is (SQS's ApproximateReceiveCount; 1 when the event does not say). */
    public static int receiveCount(SQSEvent.SQSMessage message) {
        Map<String, String> attributes = message.getAttributes();
        try {
            return attributes == null ? 1 : Integer.parseInt(attributes.getOrDefault("ApproximateReceiveCount", "1"));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    public static SQSBatchResponse process(SQSEvent event, Instant deadline, MessageProcessor processor) {
        List<SQSEvent.SQSMessage> records = event == null || event.getRecords() == null ? List.of() : event.getRecords();
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        if (records.size() == 1) {  // the common case at light traffic: no thread to start
            if (!processed(records.getFirst(), deadline, processor)) {
                failures.add(new SQSBatchResponse.BatchItemFailure(records.getFirst().getMessageId()));
            }
            return new SQSBatchResponse(failures);
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (SQSEvent.SQSMessage record : records) {
                results.add(pool.submit(Mdc.carried(() -> processed(record, deadline, processor))));
            }
            for (int i = 0; i < records.size(); i++) {
                boolean done;
                try {
                    done = results.get(i).get();
                } catch (Exception e) {
                    done = false;
                }
                if (!done) {
                    failures.add(new SQSBatchResponse.BatchItemFailure(records.get(i).getMessageId()));
                }
            }
        }
        return new SQSBatchResponse(failures);
    }

    private static boolean processed(SQSEvent.SQSMessage message, Instant deadline, MessageProcessor processor) {
        try {
            return processor.process(message, deadline);
        } catch (RuntimeException e) {
            LOG.warn("message {} failed and is kept for a retry: {}", message.getMessageId(), e.toString());
            return false;
        }
    }
}
