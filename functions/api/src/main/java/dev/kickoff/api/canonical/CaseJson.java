package dev.kickoff.api.canonical;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.http.Timestamps;
import dev.kickoff.core.cases.Case;
import dev.kickoff.core.json.Json;

/** The {@code case} object of seed 001, every field, in its order. */
public final class CaseJson {
    private CaseJson() {
    }

    public static String url(String baseUrl, Case kase) {
        return baseUrl + "/api/external/v1/workflows/" + kase.workflowId() + "/cases/" + kase.id();
    }

    public static ObjectNode kase(Case c) {
        ObjectNode n = Json.object();
        n.put("id", c.id());
        n.put("workflow_id", c.workflowId());
        n.put("subject", c.subject());
        n.put("status", c.status());
        n.set("attributes", c.attributes());
        n.put("created_at", Timestamps.seconds(c.createdAt()));
        n.put("updated_at", Timestamps.seconds(c.updatedAt()));
        return n;
    }

    /** {@code {"case": {…}}}. */
    public static ObjectNode wrapped(Case c) {
        ObjectNode wrapper = Json.object();
        wrapper.set("case", kase(c));
        return wrapper;
    }
}
