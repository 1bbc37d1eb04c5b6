package dev.kickoff.adapters.aws;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

import java.util.Map;

/**
 * The Kickoff table and the client that reaches it. Every entity lives in this one table under its own key
 * prefixes (see docs/data-model.md).
 */
public record DynamoTable(DynamoDbClient client, String name) {
    static final String PK = "pk";
    static final String SK = "sk";

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(PK, AttributeValue.fromS(pk), SK, AttributeValue.fromS(sk));
    }

    Map<String, AttributeValue> get(String pk, String sk, boolean consistent) {
        Map<String, AttributeValue> item = client.getItem(GetItemRequest.builder().tableName(name)
                .key(key(pk, sk)).consistentRead(consistent).build()).item();
        return item == null || item.isEmpty() ? null : item;
    }

    /**
     * One PutItem of a new item ({@code attribute_not_exists(pk)}): false when an item with its key exists, which for
     * items keyed by a derived ID (events, deliveries) means this one was written before.
     */
    boolean putNew(Map<String, AttributeValue> item) {
        try {
            client.putItem(PutItemRequest.builder().tableName(name).item(item)
                    .conditionExpression("attribute_not_exists(pk)").build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }
}
