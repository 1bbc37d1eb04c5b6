package dev.kickoff.api.canonical;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.render.PublicJson;
import dev.kickoff.core.run.Run;

/**
 * The {@code workflow_run} object of seed 000, every field, in its order. Rendered by the core's
 * {@link PublicJson}, which the webhook payloads use too, so the API and the webhooks can never disagree.
 */
public final class CanonicalRunJson {
    private CanonicalRunJson() {
    }

    public static String url(String baseUrl, Run run) {
        return PublicJson.runUrl(baseUrl, run);
    }

    public static ObjectNode workflowRun(Run run, String baseUrl) {
        return PublicJson.workflowRun(run, baseUrl);
    }
}
