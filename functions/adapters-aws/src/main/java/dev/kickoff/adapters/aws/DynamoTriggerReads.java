package dev.kickoff.adapters.aws;

import dev.kickoff.core.port.TriggerReads;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The token's hash item and a workflow head in one {@code BatchGetItem} with {@code ConsistentRead}: each item
 * as strongly consistent as the two GetItems it replaces, at the same capacity (1 RRU each). Measured against
 * {@code TransactGetItems} (docs/benchmarks-method.md): that costs twice the read units and buys an isolation the
 * trigger does not need (the two items are never written together).
 */
public final class DynamoTriggerReads implements TriggerReads {
    private final DynamoTable table;

    public DynamoTriggerReads(DynamoTable table) {
        this.table = table;
    }

    @Override
    public TokenAndHead read(String secretHash, long orgId, long workflowId) {
        Map<String, AttributeValue> tokenKey = DynamoTokenStore.hashKey(secretHash);
        Map<String, AttributeValue> headKey = DynamoTable.key(DynamoOrganizationStore.pk(orgId),
                DynamoWorkflowStore.headSk(workflowId));
        Map<String, AttributeValue> token = null;
        Map<String, AttributeValue> head = null;
        Map<String, KeysAndAttributes> pending = Map.of(table.name(),
                KeysAndAttributes.builder().keys(tokenKey, headKey).consistentRead(true).build());
        // Unprocessed keys (throttling, or a response over 16 MB, neither likely for two small items) are asked
        // again: a key left out is not an absent item.
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (attempt == 5) {
                throw new IllegalStateException("DynamoDB left the trigger's reads unprocessed five times");
            }
            BatchGetItemResponse response = table.client().batchGetItem(BatchGetItemRequest.builder()
                    .requestItems(pending).build());
            for (Map<String, AttributeValue> item : response.responses().getOrDefault(table.name(), List.of())) {
                if (matches(item, tokenKey)) {
                    token = item;
                } else if (matches(item, headKey)) {
                    head = item;
                }
            }
            pending = response.hasUnprocessedKeys() ? new HashMap<>(response.unprocessedKeys()) : Map.of();
        }
        return new TokenAndHead(DynamoTokenStore.principal(token), new Head(orgId, workflowId,
                Optional.ofNullable(head).map(DynamoWorkflowStore::head)));
    }

    private static boolean matches(Map<String, AttributeValue> item, Map<String, AttributeValue> key) {
        return key.get(DynamoTable.PK).equals(item.get(DynamoTable.PK))
                && key.get(DynamoTable.SK).equals(item.get(DynamoTable.SK));
    }
}
