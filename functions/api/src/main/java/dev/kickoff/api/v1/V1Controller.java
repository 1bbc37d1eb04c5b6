package dev.kickoff.api.v1;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.api.http.ApiRequests;
import dev.kickoff.api.http.Caller;
import dev.kickoff.api.http.ExecuteLimited;
import dev.kickoff.api.http.Ids;
import dev.kickoff.api.http.JsonBody;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.api.http.Triggers;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
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
    private final Triggers triggers;
    private final RunService runs;

    public V1Controller(ApiRequests requests, Triggers triggers, RunService runs) {
        this.requests = requests;
        this.triggers = triggers;
        this.runs = runs;
    }

    @Post("/workflows/{workflowId}/run")
    @Consumes(MediaType.ALL)
    @ExecuteLimited
    public HttpResponse<String> run(@Caller(Permission.WORKFLOWS_EXECUTE) Principal caller,
                                    @PathVariable String workflowId, JsonBody body, HttpRequest<?> request) {
        RunBody fields = RunBody.of(body);
        Triggers.Started started = triggers.start(caller, Ids.parse(workflowId, V1Json.WORKFLOW_PREFIX),
                fields.input(), fields.connectionId(), fields.idempotencyKey(), request);
        return started.answer(JsonResponses.created(V1Json.started(started.run())))
                .header("Location", requests.baseUrl(request) + "/api/v1/runs/" + V1Json.runId(started.run()));
    }

    @Get("/runs/{runId}")
    public HttpResponse<String> get(@Caller(Permission.RUNS_READ) Principal caller, @PathVariable String runId) {
        Run run = runs.get(caller, Ids.parse(runId, V1Json.RUN_PREFIX));
        if (!caller.grant().allowsWorkflow(run.workflowId())) {
            throw new KickoffException(Reason.RUN_NOT_FOUND, "run not found");
        }
        LogContext.put(LogContext.WORKFLOW_ID, run.workflowId());
        LogContext.put(LogContext.RUN_ID, run.id());
        return JsonResponses.ok(V1Json.run(run));
    }

    /** The seed's body: all three fields optional, unknown ones ignored (as a Zod object schema does). */
    record RunBody(JsonNode input, String connectionId, String idempotencyKey) {
        static RunBody of(JsonBody body) {
            List<FieldError> problems = new ArrayList<>();
            JsonNode input = field(body.fields(), "input", "object", problems);
            JsonNode connectionId = field(body.fields(), "connectionId", "string", problems);
            JsonNode key = field(body.fields(), "idempotencyKey", "string", problems);
            if (!problems.isEmpty()) {
                throw new KickoffException(Reason.INVALID_REQUEST, "Invalid request body", problems);
            }
            return new RunBody(input, connectionId == null ? null : connectionId.textValue(),
                    key == null ? null : key.textValue());
        }
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
