package dev.kickoff.streams;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.render.PublicJson;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.webhook.WebhookEvent;
import dev.kickoff.core.webhook.WebhookEventType;
import dev.kickoff.core.webhook.WebhookIds;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue;
import dev.kickoff.bootstrap.StreamImages;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a stream record means for webhooks (the contract in docs/data-model.md):
 * <ul>
 *   <li>a run ({@code type = run}) modified into {@code completed}, {@code failed} or {@code suspended} from
 *       another status: {@code run.completed} / {@code run.failed} (with {@code error: {code, message}}) /
 *       {@code run.suspended}; out of {@code suspended} into another: {@code run.resumed};</li>
 *   <li>a case ({@code type = case}) inserted: {@code case.created}; modified with a different status:
 *       {@code case.status_changed}.</li>
 * </ul>
 * Everything else (the filter lets through any case modification, and runs rewritten without a status change)
 * means nothing. Event IDs are derived from the item's key, the new status and its update time, so the same
 * transition read twice is the same event.
 */
final class StreamEvents {
    private StreamEvents() {
    }

    static Optional<WebhookEvent> derive(DynamodbEvent.DynamodbStreamRecord record, String baseUrl) {
        return derive(record, baseUrl, null);
    }

    /** With the run's cost as metering has just priced it ({@code cost}, when not null), which the image predates. */
    static Optional<WebhookEvent> derive(DynamodbEvent.DynamodbStreamRecord record, String baseUrl,
                                         java.math.BigDecimal cost) {
        if (record.getDynamodb() == null) {
            return Optional.empty();
        }
        Map<String, AttributeValue> newImage = new HashMap<>(image(record.getDynamodb().getNewImage()));
        if (cost != null) {
            newImage.put("cost_cents", new AttributeValue().withN(cost.toPlainString()));
        }
        Map<String, AttributeValue> oldImage = image(record.getDynamodb().getOldImage());
        String eventName = record.getEventName();
        String type = s(newImage, "type");
        if ("run".equals(type) && "MODIFY".equals(eventName)) {
            return run(newImage, oldImage, baseUrl);
        }
        if ("case".equals(type) && ("INSERT".equals(eventName) || "MODIFY".equals(eventName))) {
            return caseEvent(newImage, "INSERT".equals(eventName) ? null : oldImage);
        }
        return Optional.empty();
    }

    private static Optional<WebhookEvent> run(Map<String, AttributeValue> image, Map<String, AttributeValue> old,
                                              String baseUrl) {
        String status = s(image, "status");
        if (Objects.equals(status, s(old, "status"))) {
            return Optional.empty();
        }
        WebhookEventType type;
        if (RunStatus.COMPLETED.wireName().equals(status)) {
            type = WebhookEventType.RUN_COMPLETED;
        } else if (RunStatus.FAILED.wireName().equals(status)) {
            type = WebhookEventType.RUN_FAILED;
        } else if (RunStatus.SUSPENDED.wireName().equals(status)) {
            type = WebhookEventType.RUN_SUSPENDED;
        } else if (RunStatus.SUSPENDED.wireName().equals(s(old, "status"))) {
            type = WebhookEventType.RUN_RESUMED;  // out of suspended, into pending or in_progress
        } else {
            return Optional.empty();
        }
        Run run = StreamImages.run(image);
        ObjectNode data = Json.object();
        data.set("workflow_run", PublicJson.run(run, baseUrl));
        if (type == WebhookEventType.RUN_FAILED && run.failure() != null) {
            // Why, machine-readably (the same as workflow_run.error): cancelled, timed_out, step_failed, ...
            data.putObject("error").put("code", run.failure().code()).put("message", run.failure().message());
        }
        String id = WebhookIds.event(s(image, "pk"), type.wireName(), String.valueOf(run.updatedAt()));
        return Optional.of(new WebhookEvent(id, run.orgId(), type, run.workflowId(), run.updatedAt(), data));
    }

    private static Optional<WebhookEvent> caseEvent(Map<String, AttributeValue> image, Map<String, AttributeValue> old) {
        String status = s(image, "status");
        WebhookEventType type;
        if (old == null) {
            type = WebhookEventType.CASE_CREATED;
        } else if (!Objects.equals(status, s(old, "status"))) {
            type = WebhookEventType.CASE_STATUS_CHANGED;
        } else {
            return Optional.empty();
        }
        long caseId = n(image, "case_id");
        long workflowId = n(image, "workflow_id");
        Instant created = time(image, "created_at");
        Instant updated = time(image, "updated_at");
        String attributes = s(image, "attributes");
        JsonNode attrs = attributes == null ? Json.object() : Json.read(attributes);
        ObjectNode data = Json.object();
        data.set("case", PublicJson.caseObject(caseId, workflowId, s(image, "subject"), status, attrs, created,
                updated));
        if (type == WebhookEventType.CASE_STATUS_CHANGED) {
            data.put("previous_status", s(old, "status"));
        }
        Instant at = updated != null ? updated : created;
        String id = WebhookIds.event(s(image, "pk"), type.wireName(), String.valueOf(status), String.valueOf(at));
        return Optional.of(new WebhookEvent(id, n(image, "org_id"), type, workflowId, at, data));
    }

    private static Map<String, AttributeValue> image(Map<String, AttributeValue> image) {
        return image == null ? Map.of() : image;
    }

    /** A run's transition into {@code completed} or {@code failed} (a finish metering counts), or null. */
    static Run finished(DynamodbEvent.DynamodbStreamRecord record) {
        if (record.getDynamodb() == null || !"MODIFY".equals(record.getEventName())) {
            return null;
        }
        Map<String, AttributeValue> image = image(record.getDynamodb().getNewImage());
        Map<String, AttributeValue> old = image(record.getDynamodb().getOldImage());
        String status = s(image, "status");
        boolean terminal = RunStatus.COMPLETED.wireName().equals(status) || RunStatus.FAILED.wireName().equals(status);
        if (!"run".equals(s(image, "type")) || !terminal || Objects.equals(status, s(old, "status"))) {
            return null;
        }
        return StreamImages.run(image);
    }

    private static String s(Map<String, AttributeValue> image, String name) {
        AttributeValue v = image.get(name);
        return v == null ? null : v.getS();
    }

    private static long n(Map<String, AttributeValue> image, String name) {
        AttributeValue v = image.get(name);
        if (v == null || v.getN() == null) {
            throw new IllegalArgumentException("the item has no number " + name);
        }
        return Long.parseLong(v.getN());
    }

    private static Instant time(Map<String, AttributeValue> image, String name) {
        String s = s(image, name);
        return s == null ? null : Instant.parse(s);
    }
}
