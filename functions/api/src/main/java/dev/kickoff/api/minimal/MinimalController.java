package dev.kickoff.api.minimal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.http.Caller;
import dev.kickoff.api.http.ExecuteLimited;
import dev.kickoff.api.http.Ids;
import dev.kickoff.api.http.JsonBody;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.api.http.Timestamps;
import dev.kickoff.api.http.Triggers;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunService;
import dev.kickoff.bootstrap.LogContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;

import java.util.Locale;

/**
 * Seed 004, the minimal trigger: {@code POST /workflows/{workflow_id}/run} with {@code X-API-KEY} and
 * {@code {"payload": {…}}} answers 200 {@code {"data": {"event_type": "WORKFLOW_TRIGGER", "execution_id":
 * "exec_…", …}}}; the execution is read back with {@code GET /workflows/{workflow_id}/executions/{execution_id}}.
 */
@Controller("/workflows")
public class MinimalController {
    static final String EXECUTION_PREFIX = "exec_";

    private final Triggers triggers;
    private final RunService runs;

    public MinimalController(Triggers triggers, RunService runs) {
        this.triggers = triggers;
        this.runs = runs;
    }

    @Post("/{workflowId}/run")
    @Consumes(MediaType.ALL)
    @ExecuteLimited
    public HttpResponse<String> run(@Caller(Permission.WORKFLOWS_EXECUTE) Principal caller,
                                    @PathVariable String workflowId, JsonBody body, HttpRequest<?> request) {
        JsonNode payload = body.object("payload", true, "payload must be a JSON object",
                new FieldError("/payload", "must be an object"));
        Triggers.Started started = triggers.start(caller, Ids.parse(workflowId), payload, null, null, request);
        return started.answer(JsonResponses.ok(wrap(triggered(started.run()))));
    }

    private static ObjectNode triggered(Run run) {
        ObjectNode data = Json.object();
        data.put("event_type", "WORKFLOW_TRIGGER");
        data.put("execution_id", EXECUTION_PREFIX + run.id());
        data.set("payload", run.input());
        data.put("run_by", run.triggeredBy());
        data.put("tenant_id", Long.toString(run.orgId()));
        data.put("timestamp", Timestamps.micros(run.createdAt()));
        data.put("trigger_id", "-");
        data.put("trigger_type", "MANUAL");
        data.put("workflow_id", Long.toString(run.workflowId()));
        return data;
    }

    /** The execution's state: {@code status} is the run's, upper-cased ({@code PENDING} … {@code COMPLETED}; see {@link #status}). */
    @Get("/{workflowId}/executions/{executionId}")
    public HttpResponse<String> execution(@Caller(Permission.RUNS_READ) Principal caller,
                                          @PathVariable String workflowId, @PathVariable String executionId) {
        long workflow = Ids.parse(workflowId);
        Triggers.requireWorkflow(caller, workflow);
        Run run = runs.get(caller, workflow, Ids.parse(executionId, EXECUTION_PREFIX));
        LogContext.put(LogContext.WORKFLOW_ID, run.workflowId());
        LogContext.put(LogContext.RUN_ID, run.id());
        ObjectNode data = Json.object();
        data.put("execution_id", EXECUTION_PREFIX + run.id());
        data.put("workflow_id", Long.toString(run.workflowId()));
        data.put("tenant_id", Long.toString(run.orgId()));
        data.put("status", status(run));
        data.set("payload", run.input());
        data.set("output", run.output());
        data.put("error", run.error());
        data.put("run_by", run.triggeredBy());
        data.put("trigger_type", "MANUAL");
        data.put("timestamp", Timestamps.micros(run.createdAt()));
        data.put("started_at", Timestamps.micros(run.startedAt()));
        data.put("completed_at", Timestamps.micros(run.completedAt()));
        return JsonResponses.ok(wrap(data));
    }

    /**
     * The run's status in this seed's upper-case words: seed 000's upper-cased, but {@code WAITING} for a suspended
     * run and {@code CANCELLED} for a cancelled one ({@code error} says why).
     */
    static String status(Run run) {
        if (run.status() == dev.kickoff.core.run.RunStatus.SUSPENDED) {
            return "WAITING";
        }
        if (run.status() == dev.kickoff.core.run.RunStatus.FAILED
                && dev.kickoff.core.run.RunError.CANCELLED.equals(run.errorCode())) {
            return "CANCELLED";
        }
        return run.status().wireName().toUpperCase(Locale.ROOT);
    }

    private static ObjectNode wrap(ObjectNode data) {
        ObjectNode body = Json.object();
        body.set("data", data);
        return body;
    }
}
