package dev.kickoff.api.canonical;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.http.Timestamps;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.Run;

/** The {@code workflow_run} object of seed 000, every field, in its order. */
public final class CanonicalRunJson {
    private CanonicalRunJson() {
    }

    public static String url(String baseUrl, Run run) {
        return baseUrl + "/api/external/v1/workflows/" + run.workflowId() + "/runs/" + run.id();
    }

    public static ObjectNode workflowRun(Run run, String baseUrl) {
        ObjectNode r = Json.object();
        r.put("id", run.id());
        r.put("workflow_id", run.workflowId());
        r.put("trigger_id", run.triggerId());
        r.put("status", run.status().wireName());
        r.put("mode", run.mode());
        r.put("workflow_version", run.workflowVersion());
        r.put("workflow_draft", run.workflowDraft());
        r.set("input", run.input());
        r.set("output", run.output());
        r.put("created_at", Timestamps.seconds(run.createdAt()));
        r.put("updated_at", Timestamps.seconds(run.updatedAt()));
        r.put("url", url(baseUrl, run));
        if (run.error() != null) {
            r.put("error", run.error());
        }
        if (run.caseId() != null) {
            r.put("case_id", run.caseId());
        }
        ObjectNode wrapper = Json.object();
        wrapper.set("workflow_run", r);
        return wrapper;
    }
}
