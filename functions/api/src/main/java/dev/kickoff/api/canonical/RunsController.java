package dev.kickoff.api.canonical;

import dev.kickoff.api.http.ApiRequests;
import dev.kickoff.api.http.Caller;
import dev.kickoff.api.http.ExecuteLimited;
import dev.kickoff.api.http.Ids;
import dev.kickoff.api.http.JsonBody;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.api.http.Triggers;
import dev.kickoff.bootstrap.LogContext;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunService;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;

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
    private final Triggers triggers;
    private final RunService runs;

    public RunsController(ApiRequests requests, Triggers triggers, RunService runs) {
        this.requests = requests;
        this.triggers = triggers;
        this.runs = runs;
    }

    @Post("/{workflowId}/runs")
    @Consumes(MediaType.ALL)
    @ExecuteLimited
    public HttpResponse<String> start(@Caller(Permission.WORKFLOWS_EXECUTE) Principal caller,
                                      @PathVariable String workflowId, JsonBody body, HttpRequest<?> request) {
        var input = body.only(BODY_KEYS, Reason.UNSUPPORTED_BODY_KEY).object("input", false,
                "input must be a JSON object", null);
        Triggers.Started started = triggers.start(caller, Ids.parse(workflowId), input, null, null, request);
        String base = requests.baseUrl(request);
        return started.answer(JsonResponses.created(CanonicalRunJson.workflowRun(started.run(), base)))
                .header("Location", CanonicalRunJson.url(base, started.run()));
    }

    @Get("/{workflowId}/runs/{runId}")
    public HttpResponse<String> get(@Caller(Permission.RUNS_READ) Principal caller, @PathVariable String workflowId,
                                    @PathVariable String runId, HttpRequest<?> request) {
        long workflow = Ids.parse(workflowId);
        Triggers.requireWorkflow(caller, workflow);
        Run run = runs.get(caller, workflow, Ids.parse(runId));
        LogContext.put(LogContext.WORKFLOW_ID, run.workflowId());
        LogContext.put(LogContext.RUN_ID, run.id());
        return JsonResponses.ok(CanonicalRunJson.workflowRun(run, requests.baseUrl(request)));
    }
}
