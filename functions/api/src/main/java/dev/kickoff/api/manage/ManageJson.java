package dev.kickoff.api.manage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.http.Timestamps;
import dev.kickoff.core.auth.ApiToken;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.workflow.Workflow;
import dev.kickoff.core.workflow.WorkflowVersion;

/** JSON of the management API's resources. */
final class ManageJson {
    private ManageJson() {
    }

    static ObjectNode token(ApiToken t) {
        ObjectNode n = Json.object();
        n.put("id", t.id());
        n.put("name", t.name());
        // A bundle token shows its bundle ("api", "manage"); a token made with its own list shows "custom".
        n.put("scope", t.scope() == null ? "custom" : t.scope().wireName());
        var scopes = n.putArray("scopes");
        t.grant().wireNames().forEach(scopes::add);
        if (t.grant().workflowIds().isEmpty()) {
            n.putNull("workflow_ids");
        } else {
            var ids = n.putArray("workflow_ids");
            t.grant().sortedWorkflowIds().forEach(ids::add);
        }
        n.put("prefix", t.prefix());
        n.put("created_at", Timestamps.seconds(t.createdAt()));
        return n;
    }

    static ObjectNode workflow(Workflow w, WorkflowVersion version) {
        ObjectNode n = Json.object();
        n.put("id", w.id());
        n.put("name", w.name());
        n.put("kind", w.kind().wireName());
        n.put("version", w.latestVersion());
        n.put("status", w.status());
        if (w.publishedVersion() == null) {
            n.putNull("published_version");
        } else {
            n.put("published_version", w.publishedVersion());
        }
        n.put("created_at", Timestamps.seconds(w.createdAt()));
        n.put("updated_at", Timestamps.seconds(w.updatedAt()));
        if (version != null) {
            n.set("definition", version.definition().document());
        }
        return n;
    }
}
