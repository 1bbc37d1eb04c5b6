package dev.kickoff.api.canonical;

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
import java.util.Set;

/**
 * Seed 000, the runs API: start a published workflow with {@code {"input": {…}}} and poll the run.
 * A POST answers 201 Created with a {@code Location} header (see README, "Why 201"); with an
 * {@code Idempotency-Key} header, a repeat answers 201 with the run the first request created and
 * {@code Idempotent-Replayed: true}. An input that breaks the workflow's {@code inputSchema} is a 422
 * {@code input_validation_failed} with JSON-Pointer {@code validation_errors}.
 */
@Controller("/api/external/v1/workflows")
public class RunsController {
    static final Set<String> BODY_KEYS = Set.of("input");

    private final ApiRequests requests;
    private final TriggerEdge edge;
    private final RunService runs;

    public RunsController(ApiRequests requests, TriggerEdge edge, RunService runs) {
        this.requests = requests;
        this.edge = edge;
        this.runs = runs;
    }

    @Post("/{workflowId}/runs")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> start(HttpRequest<?> request, @PathVariable String workflowId) {
        Principal principal = edge.authorize(request);
        long id = Ids.parse(workflowId);
        LogContext.put(LogContext.WORKFLOW_ID, Math.max(id, 0));
        JsonNode body = requests.jsonObject(request).orElse(null);
        JsonNode input = null;
        if (body != null) {
            List<FieldError> unknown = new ArrayList<>();
            body.fieldNames().forEachRemaining(k -> {
                if (!BODY_KEYS.contains(k)) {
                    unknown.add(new FieldError("/" + k, "unsupported key; the body accepts only: input"));
                }
            });
            if (!unknown.isEmpty()) {
                throw new KickoffException(Reason.UNSUPPORTED_BODY_KEY,
                        "the body accepts only the key input", unknown);
            }
            input = body.get("input");
            if (input != null && !input.isNull() && !input.isObject()) {
                throw new KickoffException(Reason.INVALID_REQUEST, "input must be a JSON object");
            }
        }
        RunService.Triggered started = runs.start(principal, id, new RunRequest(
                input == null || input.isNull() ? null : input, null, TriggerEdge.idempotencyKey(request, null)));
        Run run = started.run();
        LogContext.put(LogContext.RUN_ID, run.id());
        String base = requests.baseUrl(request);
        return TriggerEdge.replayed(JsonResponses.created(CanonicalRunJson.workflowRun(run, base)), started.replayed())
                .header("Location", CanonicalRunJson.url(base, run));
    }

    @Get("/{workflowId}/runs/{runId}")
    public HttpResponse<String> get(HttpRequest<?> request, @PathVariable String workflowId,
                                    @PathVariable String runId) {
        Principal principal = requests.authenticate(request, Scope.API);
        Run run = runs.get(principal, Ids.parse(workflowId), Ids.parse(runId));
        LogContext.put(LogContext.WORKFLOW_ID, run.workflowId());
        LogContext.put(LogContext.RUN_ID, run.id());
        return JsonResponses.ok(CanonicalRunJson.workflowRun(run, requests.baseUrl(request)));
    }
}
