package dev.kickoff.api.canonical;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.cases.Case;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.render.PublicJson;

/** The {@code case} object of seed 001, every field, in its order. */
public final class CaseJson {
    private CaseJson() {
    }

    public static String url(String baseUrl, Case kase) {
        return baseUrl + "/api/external/v1/workflows/" + kase.workflowId() + "/cases/" + kase.id();
    }

    /** The same shape the webhooks' {@code case.*} events carry: one renderer for both. */
    public static ObjectNode kase(Case c) {
        return PublicJson.caseObject(c.id(), c.workflowId(), c.subject(), c.status(), c.attributes(), c.createdAt(),
                c.updatedAt());
    }

    /** {@code {"case": {…}}}. */
    public static ObjectNode wrapped(Case c) {
        ObjectNode wrapper = Json.object();
        wrapper.set("case", kase(c));
        return wrapper;
    }
}
