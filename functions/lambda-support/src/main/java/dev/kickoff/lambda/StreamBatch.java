package dev.kickoff.lambda;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;

import java.util.ArrayList;
import java.util.List;

/**
 * A DynamoDB stream batch, in order (a shard's records are ordered, and a later record of an item may depend on an
 * earlier one). The first record that fails is reported by its sequence number, so Lambda checkpoints everything
 * before it and retries from it; records after it are retried too, so processing must be idempotent.
 */
public final class StreamBatch {
    /** What a function does with one record. */
    @FunctionalInterface
    public interface RecordProcessor {
        /** @return true when done with the record; false to have the batch retried from it */
        boolean process(DynamodbEvent.DynamodbStreamRecord record);
    }

    private StreamBatch() {
    }

    public static StreamsEventResponse process(DynamodbEvent event, RecordProcessor processor) {
        List<DynamodbEvent.DynamodbStreamRecord> records = event == null || event.getRecords() == null
                ? List.of() : event.getRecords();
        for (DynamodbEvent.DynamodbStreamRecord record : records) {
            if (!processor.process(record)) {
                List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
                failures.add(new StreamsEventResponse.BatchItemFailure(record.getDynamodb().getSequenceNumber()));
                return new StreamsEventResponse(failures);
            }
        }
        return new StreamsEventResponse(new ArrayList<>());
    }
}
