package dev.kickoff.api.manage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.http.Caller;
import dev.kickoff.api.http.JsonBody;
import dev.kickoff.api.http.Ids;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.WorkflowStore;
import dev.kickoff.core.render.PublicJson;
import dev.kickoff.core.webhook.Delivery;
import dev.kickoff.core.webhook.Subscription;
import dev.kickoff.core.webhook.WebhookService;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;

import java.time.Instant;

/**
 * Webhook subscriptions of the caller's organization, their delivery log and replays. The signing secret is in
 * the answer to create and rotate-secret only; nothing else ever shows it again.
 */
@Controller("/api/manage/v1/webhooks")
public class WebhooksController {
    private final WebhookService webhooks;

    public WebhooksController(WebhookService webhooks) {
        this.webhooks = webhooks;
    }

    @Post
    @Consumes(MediaType.ALL)
    public HttpResponse<String> create(@Caller(Permission.WEBHOOKS_WRITE) Principal principal, JsonBody body) {
        if (!body.present()) {
            throw new KickoffException(Reason.INVALID_REQUEST,
                    "the request body must be a JSON object: {\"url\": …, \"events\": […]}");
        }
        var created = webhooks.create(principal.orgId(), body.fields());
        return JsonResponses.created(withSecret(created)).header("Cache-Control", "no-store")
                .header("Location", "/api/manage/v1/webhooks/" + created.subscription().id());
    }

    @Get
    public HttpResponse<String> list(@Caller(Permission.WEBHOOKS_READ) Principal principal) {
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("webhooks");
        webhooks.list(principal.orgId()).forEach(s -> items.add(webhook(s)));
        return JsonResponses.ok(out);
    }

    @Get("/{webhookId}")
    public HttpResponse<String> get(@Caller(Permission.WEBHOOKS_READ) Principal principal,
                                    @PathVariable String webhookId) {
        return JsonResponses.ok(wrap(webhooks.get(principal.orgId(), Ids.parse(webhookId))));
    }

    @Delete("/{webhookId}")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> delete(@Caller(Permission.WEBHOOKS_WRITE) Principal principal,
                                       @PathVariable String webhookId) {
        webhooks.delete(principal.orgId(), Ids.parse(webhookId));
        return HttpResponse.noContent();
    }

    @Post("/{webhookId}/rotate-secret")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> rotate(@Caller(Permission.WEBHOOKS_WRITE) Principal principal,
                                       @PathVariable String webhookId) {
        return JsonResponses.ok(withSecret(webhooks.rotate(principal.orgId(), Ids.parse(webhookId))))
                .header("Cache-Control", "no-store");
    }

    @Post("/{webhookId}/enable")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> enable(@Caller(Permission.WEBHOOKS_WRITE) Principal principal,
                                       @PathVariable String webhookId) {
        return JsonResponses.ok(wrap(webhooks.enable(principal.orgId(), Ids.parse(webhookId))));
    }

    @Get("/{webhookId}/deliveries")
    public HttpResponse<String> deliveries(@Caller(Permission.WEBHOOKS_READ) Principal principal,
                                           @PathVariable String webhookId, @Nullable @QueryValue String cursor,
                                           @Nullable @QueryValue String limit) {
        int size = 20;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                size = -1;
            }
        }
        WorkflowStore.Page<Delivery> page = webhooks.deliveries(principal.orgId(), Ids.parse(webhookId), cursor, size);
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("deliveries");
        page.items().forEach(d -> items.add(delivery(d)));
        out.put("next_cursor", page.nextCursor());
        return JsonResponses.ok(out);
    }

    @Post("/deliveries/{deliveryId}/replay")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> replay(@Caller(Permission.WEBHOOKS_WRITE) Principal principal,
                                       @PathVariable String deliveryId) {
        ObjectNode out = Json.object();
        out.set("delivery", delivery(webhooks.replay(principal.orgId(), deliveryId)));
        return JsonResponses.json(HttpStatus.ACCEPTED, out);
    }

    private static ObjectNode withSecret(WebhookService.WithSecret created) {
        ObjectNode out = wrap(created.subscription());
        out.put("secret", created.secret());
        return out;
    }

    private static ObjectNode wrap(Subscription s) {
        ObjectNode out = Json.object();
        out.set("webhook", webhook(s));
        return out;
    }

    static ObjectNode webhook(Subscription s) {
        ObjectNode n = Json.object();
        n.put("id", s.id());
        n.put("url", s.url());
        ArrayNode events = n.putArray("events");
        s.events().forEach(e -> events.add(e.wireName()));
        if (s.workflowId() == null) {
            n.putNull("workflow_id");
        } else {
            n.put("workflow_id", s.workflowId());
        }
        n.put("status", s.status().wireName());
        n.put("disabled_reason", s.disabledReason());
        n.put("disabled_at", PublicJson.seconds(s.disabledAt()));
        n.put("failing_since", PublicJson.seconds(s.failingSince()));
        Instant previousUntil = s.secrets().previousExpiresAt();
        n.put("previous_secret_expires_at", previousUntil != null && previousUntil.isAfter(Instant.now())
                ? PublicJson.seconds(previousUntil) : null);
        n.put("created_at", PublicJson.seconds(s.createdAt()));
        n.put("updated_at", PublicJson.seconds(s.updatedAt()));
        return n;
    }

    static ObjectNode delivery(Delivery d) {
        ObjectNode n = Json.object();
        n.put("id", d.id());
        n.put("webhook_id", d.webhookId());
        n.put("event_id", d.eventId());
        n.put("event_type", d.eventType().wireName());
        n.put("status", d.status().wireName());
        n.put("attempts", d.attempts());
        if (d.lastStatusCode() == null) {
            n.putNull("last_status_code");
        } else {
            n.put("last_status_code", d.lastStatusCode());
        }
        n.put("last_error", d.lastError());
        if (d.lastLatencyMillis() == null) {
            n.putNull("last_latency_ms");
        } else {
            n.put("last_latency_ms", d.lastLatencyMillis());
        }
        n.put("last_attempt_at", PublicJson.seconds(d.lastAttemptAt()));
        n.put("next_attempt_at", d.status() == Delivery.Status.PENDING ? PublicJson.seconds(d.nextAttemptAt()) : null);
        n.put("response_excerpt", d.responseExcerpt());
        n.put("replay_of", d.replayOf());
        n.put("created_at", PublicJson.seconds(d.createdAt()));
        return n;
    }
}
