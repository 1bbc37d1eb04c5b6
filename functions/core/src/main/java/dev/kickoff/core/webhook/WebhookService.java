package dev.kickoff.core.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.id.FreshIds;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.port.DeliveryQueue;
import dev.kickoff.core.port.WebhookStore;
import dev.kickoff.core.port.WorkflowStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The management side of webhooks: subscriptions of one organization (create with a secret shown once, list,
 * read, delete, rotate the secret with an overlap, enable again), their delivery log, and replays. Another
 * organization's subscription or delivery is "not found", never "forbidden".
 */
public final class WebhookService {
    public static final int MAX_PAGE = 100;
    static final Set<String> BODY_KEYS = Set.of("url", "events", "workflow_id");

    private final WebhookStore store;
    private final WorkflowStore workflows;
    private final DeliveryQueue queue;
    private final IdGenerator ids;
    private final Clock clock;
    private final WebhookSettings settings;
    private final boolean local;

    public WebhookService(WebhookStore store, WorkflowStore workflows, DeliveryQueue queue, IdGenerator ids,
                          Clock clock, WebhookSettings settings, boolean local) {
        this.store = store;
        this.workflows = workflows;
        this.queue = queue;
        this.ids = ids;
        this.clock = clock;
        this.settings = settings;
        this.local = local;
    }

    /** A subscription with the secret that is shown this once. */
    public record WithSecret(Subscription subscription, String secret) {
        @Override
        public String toString() {
            return "WithSecret[" + subscription.id() + "]";
        }
    }

    public WithSecret create(long orgId, JsonNode body) {
        List<FieldError> problems = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw new KickoffException(Reason.INVALID_REQUEST, "the request body must be a JSON object");
        }
        body.fieldNames().forEachRemaining(k -> {
            if (!BODY_KEYS.contains(k)) {
                problems.add(new FieldError("/" + k, "unsupported key; the body accepts url, events and workflow_id"));
            }
        });
        JsonNode urlNode = body.get("url");
        String url = urlNode != null && urlNode.isTextual() ? urlNode.textValue().strip() : null;
        String urlProblem = urlNode != null && !urlNode.isTextual() ? "url must be a string"
                : WebhookUrls.problem(url, local);
        if (urlProblem != null) {
            problems.add(new FieldError("/url", urlProblem));
        }
        List<WebhookEventType> events = events(body.get("events"), problems);
        Long workflowId = null;
        JsonNode wf = body.get("workflow_id");
        if (wf != null && !wf.isNull()) {
            if (!wf.isIntegralNumber() || !wf.canConvertToLong() || wf.longValue() <= 0) {
                problems.add(new FieldError("/workflow_id", "workflow_id must be a workflow ID (a positive integer)"));
            } else {
                workflowId = wf.longValue();
            }
        }
        if (!problems.isEmpty()) {
            throw new KickoffException(Reason.VALIDATION_FAILED, "the webhook is invalid", problems);
        }
        if (workflowId != null && workflows.find(orgId, workflowId).isEmpty()) {
            throw new KickoffException(Reason.WORKFLOW_NOT_FOUND, "workflow not found");
        }
        if (store.listSubscriptions(orgId).size() >= settings.maxPerOrg()) {
            // The pointer is the whole body: no field is wrong, the request as such is one too many.
            String message = "an organization can have at most " + settings.maxPerOrg() + " webhooks; delete one first";
            throw new KickoffException(Reason.VALIDATION_FAILED, message, List.of(new FieldError("", message)));
        }
        String secret = WebhookIds.secret();
        Instant now = now();
        Long scope = workflowId;
        return FreshIds.store(() -> {
            Subscription s = new Subscription(ids.next(), orgId, url, events, scope,
                    Subscription.Status.ENABLED, null, null, null, now, now,
                    new Subscription.SigningSecrets(secret, null, null));
            store.createSubscription(s);
            return new WithSecret(s, secret);
        });
    }

    private static List<WebhookEventType> events(JsonNode node, List<FieldError> problems) {
        String expected = "events must be a non-empty array of event names: " + WebhookEventType.known();
        if (node == null || !node.isArray() || node.isEmpty()) {
            problems.add(new FieldError("/events", expected));
            return List.of();
        }
        Set<WebhookEventType> out = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode e = node.get(i);
            Optional<WebhookEventType> type = e.isTextual() ? WebhookEventType.fromWire(e.textValue()) : Optional.empty();
            if (type.isEmpty()) {
                problems.add(new FieldError("/events/" + i, "unknown event " + (e.isTextual() ? "'"
                        + truncate(e.textValue()) + "'" : e.getNodeType().toString().toLowerCase())
                        + "; known events: " + WebhookEventType.known()));
            } else {
                out.add(type.get());
            }
        }
        return List.copyOf(out);
    }

    private static String truncate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    public List<Subscription> list(long orgId) {
        return store.listSubscriptions(orgId);
    }

    public Subscription get(long orgId, long webhookId) {
        return find(orgId, webhookId);
    }

    public void delete(long orgId, long webhookId) {
        if (webhookId <= 0 || !store.deleteSubscription(orgId, webhookId)) {
            throw notFound();
        }
    }

    /** A new secret; the old one keeps signing, alongside it, for the rotation overlap (24 hours). */
    public WithSecret rotate(long orgId, long webhookId) {
        Subscription s = find(orgId, webhookId);
        Instant now = now();
        String secret = WebhookIds.secret();
        var secrets = new Subscription.SigningSecrets(secret, s.secrets().current(), now.plus(settings.rotationOverlap()));
        Subscription rotated = store.replaceSecrets(orgId, webhookId, secrets, now).orElseThrow(WebhookService::notFound);
        return new WithSecret(rotated, secret);
    }

    public Subscription enable(long orgId, long webhookId) {
        find(orgId, webhookId);
        return store.enable(orgId, webhookId, now()).orElseThrow(WebhookService::notFound);
    }

    public WorkflowStore.Page<Delivery> deliveries(long orgId, long webhookId, String cursor, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new KickoffException(Reason.INVALID_REQUEST, "limit must be a number from 1 to " + MAX_PAGE);
        }
        find(orgId, webhookId);
        return store.listDeliveries(webhookId, cursor, limit);
    }

    /**
     * Sends a delivery's event again, as a new delivery with its own {@code webhook-id} (so a receiver that
     * deduplicated the original processes it) and the same event {@code id} in the payload.
     */
    public Delivery replay(long orgId, String deliveryId) {
        Instant now = now();
        Delivery original = WebhookIds.looksLikeDelivery(deliveryId) ? store.findDelivery(deliveryId)
                .filter(d -> d.orgId() == orgId && !d.expired(now)).orElse(null) : null;
        if (original == null) {
            throw new KickoffException(Reason.DELIVERY_NOT_FOUND, "delivery not found");
        }
        Subscription s = store.findSubscription(orgId, original.webhookId()).orElseThrow(WebhookService::notFound);
        if (s.status() != Subscription.Status.ENABLED) {
            throw new KickoffException(Reason.CONFLICT, "the webhook is disabled (" + s.disabledReason()
                    + "); enable it with POST /api/manage/v1/webhooks/" + s.id() + "/enable first");
        }
        if (store.findEvent(original.eventId(), now).isEmpty()) {
            throw new KickoffException(Reason.DELIVERY_NOT_FOUND, "the delivery's event is past its retention");
        }
        Delivery replay = new Delivery(WebhookIds.replay(), orgId, s.id(), original.eventId(), original.eventType(),
                Delivery.Status.PENDING, 0, null, null, null, null, now, null, now,
                original.expiresAt() != null ? original.expiresAt() : now.plus(settings.retention()),
                original.id(), null);
        store.createDelivery(replay);
        queue.enqueue(replay.id(), 1, Duration.ZERO);
        return replay;
    }

    private Subscription find(long orgId, long webhookId) {
        if (webhookId <= 0) {
            throw notFound();
        }
        return store.findSubscription(orgId, webhookId).orElseThrow(WebhookService::notFound);
    }

    private static KickoffException notFound() {
        return new KickoffException(Reason.WEBHOOK_NOT_FOUND, "webhook not found");
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
