package dev.kickoff.adapters.aws;

import dev.kickoff.core.port.RateLimitStore;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

import java.time.Instant;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Rate-limit counters: one item per API token per one-minute window, {@code pk=RATE#<token>#<window start, epoch
 * seconds>} {@code sk=RATE}, counted with one conditional {@code ADD} (at most {@code limit} succeed, whatever the
 * concurrency). A new key every window spreads the counters over the table, and no item takes more than
 * {@code limit} successful writes a minute. An organization's own limit is the attribute
 * {@code execute_rate_limit_per_minute} of its item ({@code pk=ORG#<org> sk=ORG}).
 */
public final class DynamoRateLimitStore implements RateLimitStore {
    static final String SK = "RATE";
    static final String ORG_LIMIT = "execute_rate_limit_per_minute";

    private final DynamoTable table;

    public DynamoRateLimitStore(DynamoTable table) {
        this.table = table;
    }

    static String pk(long tokenId, Instant windowStart) {
        return "RATE#" + tokenId + "#" + windowStart.getEpochSecond();
    }

    @Override
    public OptionalLong increment(long tokenId, Instant windowStart, int limit, Instant expiresAt) {
        try {
            var response = table.client().updateItem(UpdateItemRequest.builder().tableName(table.name())
                    .key(DynamoTable.key(pk(tokenId, windowStart), SK))
                    .updateExpression("SET #type = if_not_exists(#type, :type), "
                            + "expires_at = if_not_exists(expires_at, :expires) ADD #count :one")
                    .conditionExpression("attribute_not_exists(#count) OR #count < :limit")
                    .expressionAttributeNames(Map.of("#type", "type", "#count", "count"))
                    .expressionAttributeValues(Map.of(
                            ":type", Attrs.s("rate_limit"),
                            ":expires", Attrs.n(expiresAt.getEpochSecond()),
                            ":one", Attrs.n(1),
                            ":limit", Attrs.n(limit)))
                    .returnValues(ReturnValue.UPDATED_NEW)
                    .build());
            return OptionalLong.of(Attrs.num(response.attributes(), "count"));
        } catch (ConditionalCheckFailedException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public OptionalInt executeLimit(long orgId) {
        Map<String, AttributeValue> item = table.client().getItem(GetItemRequest.builder().tableName(table.name())
                .key(DynamoTable.key(DynamoOrganizationStore.pk(orgId), "ORG"))
                .projectionExpression(ORG_LIMIT).build()).item();
        Long limit = item == null ? null : Attrs.numOrNull(item, ORG_LIMIT);
        return limit == null ? OptionalInt.empty() : OptionalInt.of((int) Math.min(Integer.MAX_VALUE, limit));
    }

    @Override
    public boolean setExecuteLimit(long orgId, Integer perMinute) {
        UpdateItemRequest.Builder update = UpdateItemRequest.builder().tableName(table.name())
                .key(DynamoTable.key(DynamoOrganizationStore.pk(orgId), "ORG"))
                .conditionExpression("attribute_exists(pk)");
        if (perMinute == null) {
            update.updateExpression("REMOVE " + ORG_LIMIT);
        } else {
            update.updateExpression("SET " + ORG_LIMIT + " = :limit")
                    .expressionAttributeValues(Map.of(":limit", Attrs.n(perMinute)));
        }
        try {
            table.client().updateItem(update.build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }
}
