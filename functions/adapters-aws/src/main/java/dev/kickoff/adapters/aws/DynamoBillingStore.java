package dev.kickoff.adapters.aws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.BillingStore;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

import java.util.Map;

/**
 * An organization's billing settings are attributes of its item ({@code ORG#<org>} / {@code ORG}): {@code price_list}
 * (JSON text, the override of the default prices) and {@code monthly_run_quota}. Read eventually consistently (each
 * instance caches them for a minute anyway).
 */
public final class DynamoBillingStore implements BillingStore {
    private final DynamoTable table;

    public DynamoBillingStore(DynamoTable table) {
        this.table = table;
    }

    @Override
    public Billing find(long orgId) {
        Map<String, AttributeValue> item = table.client().getItem(GetItemRequest.builder().tableName(table.name())
                .key(DynamoTable.key(DynamoOrganizationStore.pk(orgId), "ORG"))
                .projectionExpression("#price_list, #monthly_run_quota")
                .expressionAttributeNames(Attrs.names("#price_list, #monthly_run_quota")).build()).item();
        if (item == null || item.isEmpty()) {
            return Billing.NONE;
        }
        String prices = Attrs.str(item, "price_list");
        return new Billing(prices == null ? null : Json.read(prices), Attrs.numOrNull(item, "monthly_run_quota"));
    }

    @Override
    public boolean setPrices(long orgId, JsonNode prices) {
        return prices == null ? set(orgId, "REMOVE #price_list", Map.of())
                : set(orgId, "SET #price_list = :v", Map.of(":v", Attrs.s(Json.write(prices))));
    }

    @Override
    public boolean setMonthlyRunQuota(long orgId, Long quota) {
        return quota == null ? set(orgId, "REMOVE #monthly_run_quota", Map.of())
                : set(orgId, "SET #monthly_run_quota = :v", Map.of(":v", Attrs.n(quota)));
    }

    private boolean set(long orgId, String update, Map<String, AttributeValue> values) {
        try {
            table.client().updateItem(UpdateItemRequest.builder().tableName(table.name())
                    .key(DynamoTable.key(DynamoOrganizationStore.pk(orgId), "ORG"))
                    .updateExpression(update).conditionExpression("attribute_exists(pk)")
                    .expressionAttributeNames(Attrs.names(update))
                    .expressionAttributeValues(values.isEmpty() ? null : values).build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }
}
