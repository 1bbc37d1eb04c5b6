package dev.kickoff.api.v1;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.http.Timestamps;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.StepRecord;

/** Seed 003's bodies: the {@code {"success": true, "data": …}} envelope, {@code wf_}/{@code run_} IDs, ms times. */
final class V1Json {
    static final String WORKFLOW_PREFIX = "wf_";
    static final String RUN_PREFIX = "run_";

    private V1Json() {
    }

    static String runId(Run run) {
        return RUN_PREFIX + run.id();
    }

    static ObjectNode success(ObjectNode data) {
        ObjectNode body = Json.object();
        body.put("success", true);
        body.set("data", data);
        return body;
    }

    /** The answer to a run request: {@code runId, status, workflowId, workflowVersion}. */
    static ObjectNode started(Run run) {
        ObjectNode data = Json.object();
        data.put("runId", runId(run));
        data.put("status", status(run));
        data.put("workflowId", WORKFLOW_PREFIX + run.workflowId());
        data.put("workflowVersion", run.workflowVersion());
        return success(data);
    }

    /**
     * The run's status in this seed's words: {@code pending}, {@code in_progress}, {@code completed}, {@code failed},
     * and {@code waiting} for a suspended run. A cancelled or timed-out run is {@code failed}, with the reason in
     * {@code error.code}: the seed's own {@code waitForCompletion} stops only on {@code completed} and {@code failed},
     * so any other word for an ended run would keep it polling until its own timeout.
     */
    static String status(Run run) {
        return run.status() == RunStatus.SUSPENDED ? "waiting" : run.status().wireName();
    }

    /**
     * The run status response: the seed's {@code id, status, input, output, startedAt, completedAt, steps}, an
     * {@code error: {message}} once a run has failed (the seed's {@code waitForCompletion} reads it), and the
     * run's workflow, version, creation time and connection.
     */
    static ObjectNode run(Run run) {
        ObjectNode data = Json.object();
        data.put("id", runId(run));
        data.put("status", status(run));
        data.set("input", run.input());
        data.set("output", run.output());
        data.put("startedAt", Timestamps.millis(run.startedAt()));
        data.put("completedAt", Timestamps.millis(run.completedAt()));
        ArrayNode steps = data.putArray("steps");
        for (StepRecord s : run.steps()) {
            ObjectNode step = steps.addObject();
            step.put("id", s.id());
            step.put("status", s.status());
            step.set("output", s.output());
            if (s.error() != null) {
                step.putObject("error").put("message", s.error());
            }
        }
        if (run.failure() != null) {
            data.putObject("error").put("message", run.failure().message()).put("code", run.failure().code());
        }
        data.put("workflowId", WORKFLOW_PREFIX + run.workflowId());
        data.put("workflowVersion", run.workflowVersion());
        data.put("createdAt", Timestamps.millis(run.createdAt()));
        if (run.connectionId() != null) {
            data.put("connectionId", run.connectionId());
        }
        return success(data);
    }
}
