package dev.kickoff.api.workspace;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.http.Timestamps;
import dev.kickoff.api.workspace.WorkspaceIds.Kind;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunError;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.StepRecord;

import java.util.List;

/**
 * Seed 002's run object, every field in its order. {@code node_runs} has one entry per executed step:
 * {@code workflow_node_id} names the step by its position in the workflow, {@code input_data} is the step's
 * resolved config and {@code output_data} its output. Kickoff steps are not tasks, so {@code task_id} is null;
 * {@code total_cost_cents} is what the run was priced at when it finished (a decimal number of cents; 0 until then).
 */
final class WorkspaceRunJson {
    private WorkspaceRunJson() {
    }

    /**
     * The run's status in this seed's words (a free string there): seed 000's, but {@code waiting} for a suspended
     * run and {@code cancelled} for a cancelled one ({@code error_message} says why).
     */
    static String status(Run run) {
        if (run.status() == RunStatus.SUSPENDED) {
            return "waiting";
        }
        if (run.status() == RunStatus.FAILED && RunError.CANCELLED.equals(run.errorCode())) {
            return "cancelled";
        }
        return run.status().wireName();
    }

    static ObjectNode run(Run run) {
        String runId = WorkspaceIds.encode(Kind.RUN, run.id());
        ObjectNode r = Json.object();
        r.put("id", runId);
        r.put("workflow_id", WorkspaceIds.encode(Kind.WORKFLOW, run.workflowId()));
        r.put("status", status(run));
        r.put("created_at", Timestamps.seconds(run.createdAt()));
        r.put("triggered_by", run.triggeredBy());
        r.set("trigger_payload", run.input());
        r.put("started_at", Timestamps.seconds(run.startedAt()));
        r.put("completed_at", Timestamps.seconds(run.completedAt()));
        r.put("error_message", run.error());
        r.put("total_cost_cents", run.costCents() == null ? java.math.BigDecimal.ZERO
                : dev.kickoff.core.usage.PriceList.plain(run.costCents()));
        ArrayNode nodes = r.putArray("node_runs");
        List<StepRecord> steps = run.steps();
        for (int i = 0; i < steps.size() && i <= 255; i++) {
            StepRecord s = steps.get(i);
            ObjectNode n = nodes.addObject();
            n.put("id", WorkspaceIds.encode(Kind.NODE_RUN, run.id(), i));
            n.put("workflow_run_id", runId);
            n.put("workflow_node_id", WorkspaceIds.encode(Kind.WORKFLOW_NODE, run.workflowId(), i));
            n.put("status", s.status());
            n.put("created_at", Timestamps.seconds(s.startedAt()));
            n.putNull("task_id");
            n.set("input_data", s.input());
            n.set("output_data", s.output());
            n.put("started_at", Timestamps.seconds(s.startedAt()));
            n.put("completed_at", Timestamps.seconds(s.completedAt()));
        }
        return r;
    }
}
