package dev.kickoff.emulators;

import java.util.List;
import java.util.Map;

/** A function's event source as declared in the template's {@code Events} section. */
public sealed interface EventSource {
    String name();

    /** @param maximumConcurrency {@code ScalingConfig.MaximumConcurrency}, 0 when the template sets none */
    record Sqs(String name, String queue, int batchSize, int maximumBatchingWindowSeconds,
               boolean reportBatchItemFailures, int maximumConcurrency) implements EventSource {
        public Sqs(String name, String queue, int batchSize, int maximumBatchingWindowSeconds, boolean reportBatchItemFailures) {
            this(name, queue, batchSize, maximumBatchingWindowSeconds, reportBatchItemFailures, 0);
        }
    }

    /**
     * @param filterPatterns the {@code FilterCriteria.Filters[].Pattern} JSON documents; a record is delivered
     *                       when any pattern matches (or when there are none)
     */
    record DynamoDbStream(String name, String table, int batchSize, String startingPosition,
                          int maximumBatchingWindowSeconds, List<String> filterPatterns,
                          boolean reportBatchItemFailures, boolean bisectBatchOnFunctionError,
                          int maximumRetryAttempts) implements EventSource {
    }

    record HttpApi(String name, String path, String method) implements EventSource {
    }

    /** {@code Schedule} or {@code ScheduleV2}: an EventBridge rate/cron expression. */
    record Schedule(String name, String expression, String input, Map<String, Object> properties)
            implements EventSource {
    }
}
