package dev.kickoff.adapters.aws;

import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.WorkflowStore;
import dev.kickoff.core.webhook.Delivery;
import dev.kickoff.core.webhook.Subscription;
import dev.kickoff.core.webhook.WebhookEvent;
import dev.kickoff.core.webhook.WebhookEventType;
import dev.kickoff.core.port.WebhookStore;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Webhooks on DynamoDB (see docs/data-model.md):
 * <ul>
 *   <li>subscription {@code pk=ORG#<org> sk=WEBHOOK#<id>}: in its organization's partition, so the fan-out
 *       finds an org's subscriptions with one query and another org's are unreachable by key;</li>
 *   <li>event {@code pk=EVENT#<evt_id> sk=EVENT}: the payload, once, whatever the number of subscribers;</li>
 *   <li>delivery {@code pk=DELIVERY#<msg_id> sk=DELIVERY}, listed per subscription through the sparse
 *       {@code gsi1} ({@code WEBHOOK_DELIVERIES#<webhook>}, newest first).</li>
 * </ul>
 * Events and deliveries carry {@code expires_at} (TTL, epoch seconds) and are treated as absent after it.
 */
public final class DynamoWebhookStore implements WebhookStore {
    private final DynamoTable table;

    public DynamoWebhookStore(DynamoTable table) {
        this.table = table;
    }

    static String subscriptionSk(long webhookId) {
        return "WEBHOOK#" + Attrs.pad(webhookId);
    }

    static String eventPk(String eventId) {
        return "EVENT#" + eventId;
    }

    static String deliveryPk(String deliveryId) {
        return "DELIVERY#" + deliveryId;
    }

    static String deliveriesIndexPk(long webhookId) {
        return "WEBHOOK_DELIVERIES#" + webhookId;
    }

    // ---- subscriptions

    @Override
    public void createSubscription(Subscription s) {
        Map<String, AttributeValue> item = new HashMap<>(DynamoTable.key(DynamoOrganizationStore.pk(s.orgId()),
                subscriptionSk(s.id())));
        item.put("type", Attrs.s("webhook"));
        item.put("webhook_id", Attrs.n(s.id()));
        item.put("org_id", Attrs.n(s.orgId()));
        item.put("url", Attrs.s(s.url()));
        item.put("events", AttributeValue.fromL(s.events().stream().map(e -> Attrs.s(e.wireName())).toList()));
        if (s.workflowId() != null) {
            item.put("workflow_id", Attrs.n(s.workflowId()));
        }
        item.put("status", Attrs.s(s.status().wireName()));
        item.put("created_at", Attrs.instant(s.createdAt()));
        item.put("updated_at", Attrs.instant(s.updatedAt()));
        item.put("signing_secret", Attrs.s(s.secrets().current()));
        if (!table.putNew(item)) {
            throw new DuplicateIdException("webhook " + s.id());
        }
    }

    @Override
    public Optional<Subscription> findSubscription(long orgId, long webhookId) {
        return Optional.ofNullable(table.get(DynamoOrganizationStore.pk(orgId), subscriptionSk(webhookId), true))
                .map(DynamoWebhookStore::subscription);
    }

    @Override
    public List<Subscription> listSubscriptions(long orgId) {
        List<Subscription> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            var response = table.client().query(QueryRequest.builder().tableName(table.name())
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":pk", Attrs.s(DynamoOrganizationStore.pk(orgId)),
                            ":prefix", Attrs.s("WEBHOOK#")))
                    .consistentRead(true)
                    .exclusiveStartKey(start).build());
            response.items().forEach(i -> out.add(subscription(i)));
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    @Override
    public boolean deleteSubscription(long orgId, long webhookId) {
        try {
            table.client().deleteItem(DeleteItemRequest.builder().tableName(table.name())
                    .key(DynamoTable.key(DynamoOrganizationStore.pk(orgId), subscriptionSk(webhookId)))
                    .conditionExpression("attribute_exists(pk)").build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Optional<Subscription> replaceSecrets(long orgId, long webhookId, Subscription.SigningSecrets secrets,
                                                 Instant at) {
        return updateSubscription(orgId, webhookId,
                "SET signing_secret = :current, previous_secret = :previous, previous_secret_expires_at = :until, "
                        + "updated_at = :at", "attribute_exists(pk)",
                RunItems.values(":current", Attrs.s(secrets.current()), ":previous", Attrs.s(secrets.previous()),
                        ":until", Attrs.instant(secrets.previousExpiresAt()), ":at", Attrs.instant(at)));
    }

    @Override
    public void disable(long orgId, long webhookId, String reason, Instant at) {
        updateSubscription(orgId, webhookId, "SET #status = :disabled, disabled_reason = :reason, "
                        + "disabled_at = :at, updated_at = :at", "#status = :enabled",
                RunItems.values(":disabled", Attrs.s(Subscription.Status.DISABLED.wireName()),
                        ":enabled", Attrs.s(Subscription.Status.ENABLED.wireName()),
                        ":reason", Attrs.s(reason), ":at", Attrs.instant(at)));
    }

    @Override
    public Optional<Subscription> enable(long orgId, long webhookId, Instant at) {
        return updateSubscription(orgId, webhookId, "SET #status = :enabled, updated_at = :at "
                        + "REMOVE disabled_reason, disabled_at, failing_since", "attribute_exists(pk)",
                RunItems.values(":enabled", Attrs.s(Subscription.Status.ENABLED.wireName()), ":at", Attrs.instant(at)));
    }

    @Override
    public Instant markFailing(long orgId, long webhookId, Instant since) {
        return updateSubscription(orgId, webhookId, "SET failing_since = if_not_exists(failing_since, :since)",
                "attribute_exists(pk)", RunItems.values(":since", Attrs.instant(since)))
                .map(Subscription::failingSince).orElse(since);
    }

    @Override
    public void clearFailing(long orgId, long webhookId) {
        updateSubscription(orgId, webhookId, "REMOVE failing_since", "attribute_exists(failing_since)",
                new HashMap<>());
    }

    private Optional<Subscription> updateSubscription(long orgId, long webhookId, String update, String condition,
                                                      Map<String, AttributeValue> values) {
        var request = UpdateItemRequest.builder().tableName(table.name())
                .key(DynamoTable.key(DynamoOrganizationStore.pk(orgId), subscriptionSk(webhookId)))
                .updateExpression(update).conditionExpression(condition)
                .returnValues(ReturnValue.ALL_NEW);
        if (update.contains("#status") || condition.contains("#status")) {
            request.expressionAttributeNames(Map.of("#status", "status"));
        }
        if (!values.isEmpty()) {
            request.expressionAttributeValues(values);
        }
        try {
            return Optional.of(subscription(table.client().updateItem(request.build()).attributes()));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    static Subscription subscription(Map<String, AttributeValue> item) {
        List<WebhookEventType> events = new ArrayList<>();
        AttributeValue list = item.get("events");
        if (list != null && list.hasL()) {
            list.l().forEach(v -> WebhookEventType.fromWire(v.s()).ifPresent(events::add));
        }
        return new Subscription(
                Attrs.num(item, "webhook_id"),
                Attrs.num(item, "org_id"),
                Attrs.str(item, "url"),
                events,
                Attrs.numOrNull(item, "workflow_id"),
                "disabled".equals(Attrs.str(item, "status")) ? Subscription.Status.DISABLED : Subscription.Status.ENABLED,
                Attrs.str(item, "disabled_reason"),
                Attrs.time(item, "disabled_at"),
                Attrs.time(item, "failing_since"),
                Attrs.time(item, "created_at"),
                Attrs.time(item, "updated_at"),
                new Subscription.SigningSecrets(Attrs.str(item, "signing_secret"), Attrs.str(item, "previous_secret"),
                        Attrs.time(item, "previous_secret_expires_at")));
    }

    // ---- events

    @Override
    public boolean putEvent(WebhookEvent event, Instant expiresAt) {
        Map<String, AttributeValue> item = new HashMap<>(DynamoTable.key(eventPk(event.id()), "EVENT"));
        item.put("type", Attrs.s("webhook_event"));
        item.put("event_id", Attrs.s(event.id()));
        item.put("org_id", Attrs.n(event.orgId()));
        item.put("event_type", Attrs.s(event.type().wireName()));
        item.put("workflow_id", Attrs.n(event.workflowId()));
        item.put("occurred_at", Attrs.instant(event.occurredAt()));
        item.put("data", Attrs.s(Json.write(event.data())));
        item.put("expires_at", Attrs.n(expiresAt.getEpochSecond()));
        return table.putNew(item);
    }

    @Override
    public Optional<WebhookEvent> findEvent(String eventId, Instant now) {
        Map<String, AttributeValue> item = table.get(eventPk(eventId), "EVENT", false);
        if (item == null || expired(item, now)) {
            return Optional.empty();
        }
        return Optional.of(new WebhookEvent(Attrs.str(item, "event_id"), Attrs.num(item, "org_id"),
                WebhookEventType.fromWire(Attrs.str(item, "event_type")).orElseThrow(), Attrs.num(item, "workflow_id"),
                Attrs.time(item, "occurred_at"), Json.read(Attrs.str(item, "data"))));
    }

    private static boolean expired(Map<String, AttributeValue> item, Instant now) {
        Long expires = Attrs.numOrNull(item, "expires_at");
        return expires != null && expires <= now.getEpochSecond();
    }

    // ---- deliveries

    @Override
    public boolean createDelivery(Delivery d) {
        Map<String, AttributeValue> item = new HashMap<>(DynamoTable.key(deliveryPk(d.id()), "DELIVERY"));
        item.put("type", Attrs.s("webhook_delivery"));
        item.put("delivery_id", Attrs.s(d.id()));
        item.put("org_id", Attrs.n(d.orgId()));
        item.put("webhook_id", Attrs.n(d.webhookId()));
        item.put("event_id", Attrs.s(d.eventId()));
        item.put("event_type", Attrs.s(d.eventType().wireName()));
        item.put("status", Attrs.s(d.status().wireName()));
        item.put("attempts", Attrs.n(d.attempts()));
        if (d.nextAttemptAt() != null) {
            item.put("next_attempt_at", Attrs.instant(d.nextAttemptAt()));
        }
        item.put("created_at", Attrs.instant(d.createdAt()));
        item.put("expires_at", Attrs.n(d.expiresAt().getEpochSecond()));
        if (d.replayOf() != null) {
            item.put("replay_of", Attrs.s(d.replayOf()));
        }
        item.put("gsi1pk", Attrs.s(deliveriesIndexPk(d.webhookId())));
        item.put("gsi1sk", Attrs.s(Attrs.sortable(d.createdAt()) + "#" + d.id()));
        return table.putNew(item);
    }

    @Override
    public Optional<Delivery> findDelivery(String deliveryId) {
        return Optional.ofNullable(table.get(deliveryPk(deliveryId), "DELIVERY", true)).map(DynamoWebhookStore::delivery);
    }

    @Override
    public WorkflowStore.Page<Delivery> listDeliveries(long webhookId, String cursor, int limit) {
        String indexPk = deliveriesIndexPk(webhookId);
        var response = table.client().query(QueryRequest.builder().tableName(table.name()).indexName("gsi1")
                .keyConditionExpression("gsi1pk = :pk")
                .expressionAttributeValues(Map.of(":pk", Attrs.s(indexPk)))
                .scanIndexForward(false)
                .limit(limit)
                .exclusiveStartKey(Cursors.decodeIndex(cursor, indexPk, "DELIVERY#"))
                .build());
        Instant now = Instant.now();
        List<Delivery> items = new ArrayList<>();
        for (Map<String, AttributeValue> item : response.items()) {
            if (!expired(item, now)) {
                items.add(delivery(item));
            }
        }
        return new WorkflowStore.Page<>(items, response.hasLastEvaluatedKey()
                ? Cursors.encode(response.lastEvaluatedKey()) : null);
    }

    @Override
    public Optional<Delivery> claim(String deliveryId, int attempt, Instant now, Instant leaseUntil) {
        try {
            var response = table.client().updateItem(UpdateItemRequest.builder().tableName(table.name())
                    .key(DynamoTable.key(deliveryPk(deliveryId), "DELIVERY"))
                    .updateExpression("SET attempts = :n, lease_until = :lease")
                    .conditionExpression("#status = :pending AND ((attempts = :previous AND "
                            + "(attribute_not_exists(lease_until) OR lease_until < :now)) OR "
                            + "(attempts = :n AND lease_until < :now))")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(RunItems.values(
                            ":pending", Attrs.s(Delivery.Status.PENDING.wireName()),
                            ":n", Attrs.n(attempt),
                            ":previous", Attrs.n(attempt - 1),
                            ":now", Attrs.n(now.toEpochMilli()),
                            ":lease", Attrs.n(leaseUntil.toEpochMilli())))
                    .returnValues(ReturnValue.ALL_NEW).build());
            return Optional.of(delivery(response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean recordAttempt(String deliveryId, int attempt, Delivery.Attempt result, Delivery.Status status,
                                 Instant nextAttemptAt) {
        StringBuilder set = new StringBuilder("SET #status = :status, last_latency_ms = :latency, "
                + "last_attempt_at = :at");
        StringBuilder remove = new StringBuilder(" REMOVE lease_until");
        Map<String, AttributeValue> values = RunItems.values(
                ":status", Attrs.s(status.wireName()),
                ":latency", Attrs.n(result.latencyMillis()),
                ":at", Attrs.instant(result.at()),
                ":n", Attrs.n(attempt),
                ":pending", Attrs.s(Delivery.Status.PENDING.wireName()));
        optional(set, remove, values, "last_status_code", result.statusCode() == null ? null
                : Attrs.n(result.statusCode()));
        optional(set, remove, values, "last_error", result.error() == null ? null : Attrs.s(result.error()));
        optional(set, remove, values, "response_excerpt", result.responseExcerpt() == null
                || result.responseExcerpt().isEmpty() ? null : Attrs.s(result.responseExcerpt()));
        optional(set, remove, values, "next_attempt_at", nextAttemptAt == null ? null : Attrs.instant(nextAttemptAt));
        try {
            table.client().updateItem(UpdateItemRequest.builder().tableName(table.name())
                    .key(DynamoTable.key(deliveryPk(deliveryId), "DELIVERY"))
                    .updateExpression(set.append(remove).toString())
                    .conditionExpression("#status = :pending AND attempts = :n")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(values).build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static void optional(StringBuilder set, StringBuilder remove, Map<String, AttributeValue> values,
                                 String attribute, AttributeValue value) {
        if (value == null) {
            remove.append(", ").append(attribute);
        } else {
            set.append(", ").append(attribute).append(" = :").append(attribute);
            values.put(":" + attribute, value);
        }
    }

    @Override
    public void abandon(String deliveryId, String reason, Instant at) {
        try {
            table.client().updateItem(UpdateItemRequest.builder().tableName(table.name())
                    .key(DynamoTable.key(deliveryPk(deliveryId), "DELIVERY"))
                    .updateExpression("SET #status = :failed, last_error = :reason REMOVE next_attempt_at, lease_until")
                    .conditionExpression("#status = :pending")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(RunItems.values(
                            ":failed", Attrs.s(Delivery.Status.FAILED.wireName()),
                            ":pending", Attrs.s(Delivery.Status.PENDING.wireName()),
                            ":reason", Attrs.s(reason)))
                    .build());
        } catch (ConditionalCheckFailedException e) {
            // no longer pending: nothing to abandon
        }
    }

    static Delivery delivery(Map<String, AttributeValue> item) {
        Long status = Attrs.numOrNull(item, "last_status_code");
        Long lease = Attrs.numOrNull(item, "lease_until");
        Long expires = Attrs.numOrNull(item, "expires_at");
        return new Delivery(
                Attrs.str(item, "delivery_id"),
                Attrs.num(item, "org_id"),
                Attrs.num(item, "webhook_id"),
                Attrs.str(item, "event_id"),
                WebhookEventType.fromWire(Attrs.str(item, "event_type")).orElseThrow(),
                Delivery.Status.fromWire(Attrs.str(item, "status")),
                (int) Attrs.num(item, "attempts"),
                status == null ? null : status.intValue(),
                Attrs.str(item, "last_error"),
                Attrs.numOrNull(item, "last_latency_ms"),
                Attrs.time(item, "last_attempt_at"),
                Attrs.time(item, "next_attempt_at"),
                Attrs.str(item, "response_excerpt"),
                Attrs.time(item, "created_at"),
                expires == null ? null : Instant.ofEpochSecond(expires),
                Attrs.str(item, "replay_of"),
                lease == null ? null : Instant.ofEpochMilli(lease));
    }
}
