package dev.kickoff.api.minimal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.http.ApiRequests;
import dev.kickoff.api.http.Ids;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.api.http.Timestamps;
import dev.kickoff.api.http.TriggerEdge;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunRequest;
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

import java.util.List;
import java.util.Locale;

/**
 * Seed 004, the minimal trigger: {@code POST /workflows/{workflow_id}/run} with {@code X-API-KEY} and
 * {@code {"payload": {…}}} answers 200 {@code {"data": {"event_type": "WORKFLOW_TRIGGER", "execution_id":
 * "exec_…", …}}}; the execution is read back with {@code GET /workflows/{workflow_id}/executions/{execution_id}}.
 */
@Controller("/workflows")
public class MinimalController {
    static final String EXECUTION_PREFIX = "exec_";

    private final ApiRequests requests;
    private final TriggerEdge edge;
    private final RunService runs;

    public MinimalController(ApiRequests requests, TriggerEdge edge, RunService runs) {
        this.requests = requests;
        this.edge = edge;
        this.runs = runs;
    }

    @Post("/{workflowId}/run")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> run(HttpRequest<?> request, @PathVariable String workflowId) {
        Principal principal = edge.authorize(request);
        long id = Ids.parse(workflowId);
        LogContext.put(LogContext.WORKFLOW_ID, Math.max(id, 0));
        JsonNode body = requests.jsonObject(request).orElse(null);
        JsonNode payload = body == null ? null : body.get("payload");
        if (payload != null && !payload.isNull() && !payload.isObject()) {
            throw new KickoffException(Reason.INVALID_REQUEST, "payload must be a JSON object",
                    List.of(new FieldError("/payload", "must be an object")));
        }
        RunService.Triggered started = runs.start(principal, id,
                new RunRequest(payload, null, TriggerEdge.idempotencyKey(request, null)));
        Run run = started.run();
        LogContext.put(LogContext.RUN_ID, run.id());
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
        return TriggerEdge.replayed(JsonResponses.ok(wrap(data)), started.replayed());
    }

    /** The execution's state: {@code status} is the run's, upper-cased ({@code PENDING} … {@code COMPLETED}). */
    @Get("/{workflowId}/executions/{executionId}")
    public HttpResponse<String> execution(HttpRequest<?> request, @PathVariable String workflowId,
                                          @PathVariable String executionId) {
        Principal principal = requests.authenticate(request, Scope.API);
        Run run = runs.get(principal, Ids.parse(workflowId), Ids.parse(executionId, EXECUTION_PREFIX));
        LogContext.put(LogContext.WORKFLOW_ID, run.workflowId());
        LogContext.put(LogContext.RUN_ID, run.id());
        ObjectNode data = Json.object();
        data.put("execution_id", EXECUTION_PREFIX + run.id());
        data.put("workflow_id", Long.toString(run.workflowId()));
        data.put("tenant_id", Long.toString(run.orgId()));
        data.put("status", run.status().wireName().toUpperCase(Locale.ROOT));
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

    private static ObjectNode wrap(ObjectNode data) {
        ObjectNode body = Json.object();
        body.set("data", data);
        return body;
    }
}
