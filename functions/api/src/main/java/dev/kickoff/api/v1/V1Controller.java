package dev.kickoff.api.v1;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.api.http.ApiRequests;
import dev.kickoff.api.http.Ids;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.api.http.TriggerEdge;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
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

import java.util.ArrayList;
import java.util.List;

/**
 * Seed 003, the API-key trigger: {@code POST /api/v1/workflows/{id}/run} with
 * {@code {"input", "connectionId", "idempotencyKey"}} (all optional), and {@code GET /api/v1/runs/{id}}.
 * A new run answers 201 Created with a {@code Location}; a replayed idempotency key answers 201 as well, with
 * {@code Idempotent-Replayed: true}. Unknown body fields are ignored, as a Zod object schema does.
 */
@Controller("/api/v1")
public class V1Controller {
    private final ApiRequests requests;
    private final TriggerEdge edge;
    private final RunService runs;

    public V1Controller(ApiRequests requests, TriggerEdge edge, RunService runs) {
        this.requests = requests;
        this.edge = edge;
        this.runs = runs;
    }

    @Post("/workflows/{workflowId}/run")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> run(HttpRequest<?> request, @PathVariable String workflowId) {
        Principal principal = edge.authorize(request);
        long id = Ids.parse(workflowId, V1Json.WORKFLOW_PREFIX);
        LogContext.put(LogContext.WORKFLOW_ID, Math.max(id, 0));
        JsonNode body = requests.jsonObject(request).orElse(null);
        List<FieldError> problems = new ArrayList<>();
        JsonNode input = field(body, "input", "object", problems);
        JsonNode connectionId = field(body, "connectionId", "string", problems);
        JsonNode key = field(body, "idempotencyKey", "string", problems);
        if (!problems.isEmpty()) {
            throw new KickoffException(Reason.INVALID_REQUEST, "Invalid request body", problems);
        }
        RunService.Triggered started = runs.start(principal, id, new RunRequest(input,
                connectionId == null ? null : connectionId.textValue(),
                TriggerEdge.idempotencyKey(request, key == null ? null : key.textValue())));
        Run run = started.run();
        LogContext.put(LogContext.RUN_ID, run.id());
        return TriggerEdge.replayed(JsonResponses.created(V1Json.started(run)), started.replayed())
                .header("Location", requests.baseUrl(request) + "/api/v1/runs/" + V1Json.runId(run));
    }

    @Get("/runs/{runId}")
    public HttpResponse<String> get(HttpRequest<?> request, @PathVariable String runId) {
        Principal principal = requests.authenticate(request, Scope.API);
        Run run = runs.get(principal, Ids.parse(runId, V1Json.RUN_PREFIX));
        LogContext.put(LogContext.WORKFLOW_ID, run.workflowId());
        LogContext.put(LogContext.RUN_ID, run.id());
        return JsonResponses.ok(V1Json.run(run));
    }

    /** An optional body field of one JSON type; {@code null} counts as absent. */
    private static JsonNode field(JsonNode body, String name, String type, List<FieldError> problems) {
        JsonNode value = body == null ? null : body.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        boolean ok = type.equals("object") ? value.isObject() : value.isTextual();
        if (!ok) {
            problems.add(new FieldError("/" + name, "Expected " + type + ", received " + V1ErrorShape.received(value)));
            return null;
        }
        return value;
    }
}
