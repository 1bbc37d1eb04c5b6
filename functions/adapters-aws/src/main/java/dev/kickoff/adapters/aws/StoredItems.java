package dev.kickoff.adapters.aws;

import dev.kickoff.core.run.Run;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Map;

/** Reads stored items that arrive from elsewhere than a query, e.g. the images of a DynamoDB stream record. */
public final class StoredItems {
    private StoredItems() {
    }

    /** A run item ({@code pk=RUN#<id>}) as the run it stores. */
    public static Run run(Map<String, AttributeValue> item) {
        return RunItems.fromItem(item);
    }
}
