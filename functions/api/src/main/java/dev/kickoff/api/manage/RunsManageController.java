package dev.kickoff.api.manage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.canonical.CanonicalRunJson;
import dev.kickoff.api.canonical.RunPages;
import dev.kickoff.api.canonical.RunsController;
import dev.kickoff.api.http.ApiRequests;
import dev.kickoff.api.http.Caller;
import dev.kickoff.api.http.Ids;
import dev.kickoff.api.http.JsonBody;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.api.http.Timestamps;
import dev.kickoff.api.http.Triggers;
import dev.kickoff.bootstrap.LogContext;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunControls;
import dev.kickoff.core.run.RunService;
import dev.kickoff.core.run.RunSignal;
import dev.kickoff.core.run.StepRecord;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;

import java.time.Duration;
import java.util.Set;

/**
 * Runs for the dashboard, with a manage token (which the runs API answers 401): a workflow's runs, one run with its
 * step timeline, and the run controls, over the same core services as the runs API. Scopes {@code runs:inspect} (the
 * reads) and {@code runs:operate} (the controls); a replay here does not count against the execute limit (that is
 * the API tokens'). Another organization's run, or one of a workflow the token may not use, is not found.
 */
@Controller("/api/manage/v1")
public class RunsManageController {
    private final ApiRequests requests;
    private final RunService runs;
    private final RunControls controls;

    public RunsManageController(ApiRequests requests, RunService runs, RunControls controls) {
        this.requests = requests;
        this.runs = runs;
        this.controls = controls;
    }

    @Get("/workflows/{workflowId}/runs")
    public HttpResponse<String> list(@Caller(Permission.RUNS_INSPECT) Principal caller, @PathVariable String workflowId,
                                     @Nullable @QueryValue String limit, @Nullable @QueryValue String cursor,
                                     HttpRequest<?> request) {
        long workflow = Ids.parse(workflowId);
        if (!caller.grant().allowsWorkflow(workflow)) {
            throw new KickoffException(Reason.WORKFLOW_NOT_FOUND, "workflow not found");
        }
        LogContext.put(LogContext.WORKFLOW_ID, Math.max(0, workflow));
        var page = runs.list(caller, workflow, RunPages.status(request), RunPages.limit(limit), cursor);
        String base = requests.baseUrl(request);
        return JsonResponses.ok(RunPages.page(page, r -> (ObjectNode) CanonicalRunJson.workflowRun(r, base)
                .get("workflow_run")));
    }

    /** The run with its step timeline and its signals: {@code {"workflow_run": {…, "steps", "signals"}}}. */
    @Get("/runs/{runId}")
    public HttpResponse<String> get(@Caller(Permission.RUNS_INSPECT) Principal caller, @PathVariable String runId,
                                    HttpRequest<?> request) {
        return JsonResponses.ok(detailed(find(caller, runId), request));
    }

    @Post("/runs/{runId}/cancel")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> cancel(@Caller(Permission.RUNS_OPERATE) Principal caller, @PathVariable String runId,
                                       JsonBody body, HttpRequest<?> request) {
        String reason = RunsController.reason(body);
        return JsonResponses.ok(detailed(tag(controls.cancel(caller, Ids.parse(runId), reason)), request));
    }

    @Post("/runs/{runId}/retry")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> retry(@Caller(Permission.RUNS_OPERATE) Principal caller, @PathVariable String runId,
                                      JsonBody body, HttpRequest<?> request) {
        body.only(Set.of(), Reason.UNSUPPORTED_BODY_KEY);
        return JsonResponses.json(HttpStatus.ACCEPTED, detailed(tag(controls.retry(caller, Ids.parse(runId))),
                request));
    }

    @Post("/runs/{runId}/replay")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> replay(@Caller(Permission.RUNS_OPERATE) Principal caller, @PathVariable String runId,
                                       @Nullable @QueryValue String version, JsonBody body, HttpRequest<?> request) {
        body.only(Set.of(), Reason.UNSUPPORTED_BODY_KEY);
        Run run = tag(runs.replay(caller, Ids.parse(runId), RunsController.latest(version)));
        return JsonResponses.created(detailed(run, request))
                .header("Location", requests.baseUrl(request) + "/api/manage/v1/runs/" + run.id());
    }

    @Post("/runs/{runId}/signals")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> signal(@Caller(Permission.RUNS_OPERATE) Principal caller, @PathVariable String runId,
                                       JsonBody body, HttpRequest<?> request) {
        RunsController.Signal signal = RunsController.Signal.of(body);
        RunControls.Signalled done = controls.signal(caller, Ids.parse(runId), signal.name(), signal.payload(),
                request.getHeaders().get(Triggers.IDEMPOTENCY_KEY_HEADER));
        var response = JsonResponses.json(HttpStatus.ACCEPTED, detailed(tag(done.run()), request));
        return done.replayed() ? response.header(Triggers.REPLAYED_HEADER, "true") : response;
    }

    private Run find(Principal caller, String runId) {
        Run run = runs.get(caller, Ids.parse(runId));
        if (!caller.grant().allowsWorkflow(run.workflowId())) {
            throw new KickoffException(Reason.RUN_NOT_FOUND, "run not found");
        }
        return tag(run);
    }

    /**
     * Seed 000's {@code workflow_run} plus {@code steps}, the timeline (each step's {@code id, type, status, input,
     * output, error, attempts, started_at, completed_at, duration_ms}), and {@code signals}: the one it waits for
     * ({@code awaiting}) and those kept for a later wait ({@code kept}: name and time; payloads stay on the run).
     */
    private ObjectNode detailed(Run run, HttpRequest<?> request) {
        ObjectNode body = CanonicalRunJson.workflowRun(run, requests.baseUrl(request));
        ObjectNode r = (ObjectNode) body.get("workflow_run");
        ArrayNode steps = r.putArray("steps");
        for (StepRecord s : run.steps()) {
            ObjectNode step = steps.addObject();
            step.put("id", s.id());
            step.put("type", s.type());
            step.put("status", s.status());
            step.set("input", s.input());
            step.set("output", s.output());
            step.put("error", s.error());
            step.put("attempts", s.attempts());
            step.put("started_at", Timestamps.millis(s.startedAt()));
            step.put("completed_at", Timestamps.millis(s.completedAt()));
            if (s.startedAt() != null && s.completedAt() != null) {
                step.put("duration_ms", Duration.between(s.startedAt(), s.completedAt()).toMillis());
            } else {
                step.putNull("duration_ms");
            }
        }
        ObjectNode signals = r.putObject("signals");
        signals.put("awaiting", run.signals().awaited());
        ArrayNode kept = signals.putArray("kept");
        for (RunSignal s : run.signals().kept()) {
            kept.addObject().put("signal", s.name()).put("received_at", Timestamps.millis(s.receivedAt()));
        }
        return body;
    }

    private static Run tag(Run run) {
        LogContext.put(LogContext.WORKFLOW_ID, run.workflowId());
        LogContext.put(LogContext.RUN_ID, run.id());
        return run;
    }
}
