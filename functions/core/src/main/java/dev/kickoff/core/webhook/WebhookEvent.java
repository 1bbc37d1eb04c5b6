package dev.kickoff.core.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.render.PublicJson;

import java.time.Instant;

/**
 * Something that happened to a run or a case, once: the document every subscriber receives,
 * {@code {"id": "evt_…", "type": …, "created_at": …, "data": {…}}}.
 *
 * @param workflowId the workflow the run or case belongs to (subscriptions may filter on it)
 * @param occurredAt when it happened (the item's updated_at); subscriptions created later do not receive it
 */
public record WebhookEvent(String id, long orgId, WebhookEventType type, long workflowId, Instant occurredAt,
                           JsonNode data) {

    public ObjectNode document() {
        ObjectNode doc = Json.object();
        doc.put("id", id);
        doc.put("type", type.wireName());
        doc.put("created_at", PublicJson.seconds(occurredAt));
        doc.set("data", data);
        return doc;
    }
}
