package dev.kickoff.adapters.aws;

import dev.kickoff.core.port.Wakeups;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The wake-up index on DynamoDB: {@code gsi3}, sparse and keys only ({@code wake_pk = WAKE#<run ID mod 64>},
 * {@code wake_sk = <wake time, fixed width>#<run ID, 16 digits>#<org ID>}). One eventually consistent query per
 * partition reads the runs due before a time; a bare timestamp sorts before every key that starts with it.
 */
public final class DynamoWakeups implements Wakeups {
    private final DynamoTable table;

    public DynamoWakeups(DynamoTable table) {
        this.table = table;
    }

    @Override
    public int partitions() {
        return RunItems.ACTIVE_PARTITIONS;
    }

    @Override
    public List<Due> due(int partition, Instant before, int limit) {
        var response = table.client().query(QueryRequest.builder().tableName(table.name())
                .indexName(RunItems.WAKE_INDEX)
                .keyConditionExpression("wake_pk = :pk AND wake_sk < :before")
                .expressionAttributeValues(Map.of(":pk", Attrs.s(RunItems.wakePartition(partition)),
                        ":before", Attrs.s(Attrs.sortable(before))))
                .limit(limit)
                .build());
        List<Due> due = new ArrayList<>();
        for (Map<String, AttributeValue> item : response.items()) {
            String[] parts = Attrs.str(item, "wake_sk").split("#");
            if (parts.length == 3) {
                due.add(new Due(Long.parseLong(parts[1]), Long.parseLong(parts[2]), Instant.parse(parts[0])));
            }
        }
        return due;
    }
}
