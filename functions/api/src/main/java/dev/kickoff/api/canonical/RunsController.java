package dev.kickoff.api.canonical;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunControls;
import dev.kickoff.core.run.RunService;
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
import java.util.List;
import java.util.Set;

/**
 * Seed 000, the runs API: start a published workflow with {@code {"input": {…}}} and poll the run, list a workflow's
 * runs, and the run controls (cancel, retry from the failed step, replay, signal).
 * A POST answers 201 Created with a {@code Location} header (see README, "Why 201"); with an
 * {@code Idempotency-Key} header, a repeat answers 201 with the run the first request created and
 * {@code Idempotent-Replayed: true}. An input that breaks the workflow's {@code inputSchema} is a 422
 * {@code input_validation_failed} with JSON-Pointer {@code validation_errors}. The POST and the run's GET take
 * {@code Prefer: wait=N} ({@link RunWait}).
 */
@Controller("/api/external/v1/workflows")
public class RunsController {
    static final Set<String> BODY_KEYS = Set.of("input");
    static final Set<String> CANCEL_KEYS = Set.of("reason");
    static final Set<String> SIGNAL_KEYS = Set.of("signal", "payload");
    static final int MAX_REASON_LENGTH = 500;

    private final ApiRequests requests;
    private final Triggers triggers;
    private final RunService runs;
    private final RunControls controls;

    public RunsController(ApiRequests requests, Triggers triggers, RunService runs, RunControls controls) {
        this.requests = requests;
        this.triggers = triggers;
        this.runs = runs;
        this.controls = controls;
    }

    @Post("/{workflowId}/runs")
    @Consumes(MediaType.ALL)
    @ExecuteLimited
    public HttpResponse<String> start(@Caller(Permission.WORKFLOWS_EXECUTE) Principal caller,
                                      @PathVariable String workflowId, JsonBody body, HttpRequest<?> request) {
        var input = body.only(BODY_KEYS, Reason.UNSUPPORTED_BODY_KEY).object("input", false,
                "input must be a JSON object", null);
        Duration wait = RunWait.preferred(request);
        Triggers.Started started = triggers.start(caller, Ids.parse(workflowId), input, null, null, request);
        // Stored and queued: waiting now only delays the answer, never the run.
        Run run = wait == null ? started.run()
                : runs.awaitSettled(caller, started.run().workflowId(), started.run().id(), wait);
        String base = requests.baseUrl(request);
        return RunWait.applied(started.answer(JsonResponses.created(CanonicalRunJson.workflowRun(run, base))), wait)
                .header("Location", CanonicalRunJson.url(base, run));
    }

    /** The workflow's runs, newest first: {@code ?status=&limit=&cursor=} → {@code {"workflow_runs", "next_cursor"}}. */
    @Get("/{workflowId}/runs")
    public HttpResponse<String> list(@Caller(Permission.RUNS_READ) Principal caller, @PathVariable String workflowId,
                                     @Nullable @QueryValue String limit, @Nullable @QueryValue String cursor,
                                     HttpRequest<?> request) {
        long workflow = Ids.parse(workflowId);
        Triggers.requireWorkflow(caller, workflow);
        LogContext.put(LogContext.WORKFLOW_ID, Math.max(0, workflow));
        var page = runs.list(caller, workflow, RunPages.status(request), RunPages.limit(limit), cursor);
        String base = requests.baseUrl(request);
        return JsonResponses.ok(RunPages.page(page, r -> (com.fasterxml.jackson.databind.node.ObjectNode)
                CanonicalRunJson.workflowRun(r, base).get("workflow_run")));
    }

    @Get("/{workflowId}/runs/{runId}")
    public HttpResponse<String> get(@Caller(Permission.RUNS_READ) Principal caller, @PathVariable String workflowId,
                                    @PathVariable String runId, HttpRequest<?> request) {
        long workflow = Ids.parse(workflowId);
        Triggers.requireWorkflow(caller, workflow);
        Duration wait = RunWait.preferred(request);
        Run run = wait == null ? runs.get(caller, workflow, Ids.parse(runId))
                : runs.awaitSettled(caller, workflow, Ids.parse(runId), wait);
        tag(run);
        return RunWait.applied(JsonResponses.ok(CanonicalRunJson.workflowRun(run, requests.baseUrl(request))), wait);
    }

    /**
     * Cancel: an unfinished run ends {@code failed} with {@code error: {"code": "cancelled"}}; body
     * {@code {"reason": "…"}} (optional) goes into the message. 200 with the run; a finished run is a 409.
     */
    @Post("/{workflowId}/runs/{runId}/cancel")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> cancel(@Caller(Permission.RUNS_CONTROL) Principal caller,
                                       @PathVariable String workflowId, @PathVariable String runId, JsonBody body,
                                       HttpRequest<?> request) {
        long workflow = Ids.parse(workflowId);
        Triggers.requireWorkflow(caller, workflow);
        Run run = controls.cancel(caller, workflow, Ids.parse(runId), reason(body));
        tag(run);
        return JsonResponses.ok(CanonicalRunJson.workflowRun(run, requests.baseUrl(request)));
    }

    /** Retry from the failed step: 202 with the run, pending again; anything but a failed run is a 409. */
    @Post("/{workflowId}/runs/{runId}/retry")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> retry(@Caller(Permission.RUNS_CONTROL) Principal caller,
                                      @PathVariable String workflowId, @PathVariable String runId, JsonBody body,
                                      HttpRequest<?> request) {
        body.only(Set.of(), Reason.UNSUPPORTED_BODY_KEY);
        long workflow = Ids.parse(workflowId);
        Triggers.requireWorkflow(caller, workflow);
        Run run = controls.retry(caller, workflow, Ids.parse(runId));
        tag(run);
        return JsonResponses.json(HttpStatus.ACCEPTED, CanonicalRunJson.workflowRun(run, requests.baseUrl(request)));
    }

    /**
     * Replay: a new run with the run's input and workflow version ({@code ?version=latest}: the published one), marked
     * {@code replay_of}; 201 with it and its {@code Location}. It starts a run, so it counts against the execute limit
     * and needs {@code workflows:execute} as well as {@code runs:control}.
     */
    @Post("/{workflowId}/runs/{runId}/replay")
    @Consumes(MediaType.ALL)
    @ExecuteLimited
    public HttpResponse<String> replay(@Caller(Permission.RUNS_CONTROL) Principal caller,
                                       @PathVariable String workflowId, @PathVariable String runId,
                                       @Nullable @QueryValue String version, JsonBody body, HttpRequest<?> request) {
        body.only(Set.of(), Reason.UNSUPPORTED_BODY_KEY);
        long workflow = Ids.parse(workflowId);
        Triggers.requireWorkflow(caller, workflow);
        Run run = runs.replay(caller, workflow, Ids.parse(runId), latest(version));
        tag(run);
        String base = requests.baseUrl(request);
        return JsonResponses.created(CanonicalRunJson.workflowRun(run, base))
                .header("Location", CanonicalRunJson.url(base, run));
    }

    /**
     * A signal: {@code {"signal": "approved", "payload": {…}}} → 202 with the run (pending again if it was waiting for
     * it; else unchanged, the signal kept for its wait). With an {@code Idempotency-Key}, a repeat changes nothing and
     * answers 202 with {@code Idempotent-Replayed: true}.
     */
    @Post("/{workflowId}/runs/{runId}/signals")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> signal(@Caller(Permission.RUNS_CONTROL) Principal caller,
                                       @PathVariable String workflowId, @PathVariable String runId, JsonBody body,
                                       HttpRequest<?> request) {
        long workflow = Ids.parse(workflowId);
        Triggers.requireWorkflow(caller, workflow);
        Signal signal = Signal.of(body);
        RunControls.Signalled done = controls.signal(caller, workflow, Ids.parse(runId), signal.name(),
                signal.payload(), request.getHeaders().get(Triggers.IDEMPOTENCY_KEY_HEADER));
        tag(done.run());
        var response = JsonResponses.json(HttpStatus.ACCEPTED, CanonicalRunJson.workflowRun(done.run(),
                requests.baseUrl(request)));
        return done.replayed() ? response.header(Triggers.REPLAYED_HEADER, "true") : response;
    }

    /** A signal's body, read the same way by the runs API and the management API. */
    public record Signal(String name, JsonNode payload) {
        public static Signal of(JsonBody body) {
            body.only(SIGNAL_KEYS, Reason.UNSUPPORTED_BODY_KEY);
            JsonNode name = body.get("signal");
            if (name == null || !name.isTextual()) {
                throw new KickoffException(Reason.INVALID_REQUEST, "signal is required: the name a wait_for_signal"
                        + " step waits for", List.of(new FieldError("/signal", "must be a string")));
            }
            JsonNode payload = body.object("payload", true, "payload must be a JSON object",
                    new FieldError("/payload", "must be an object"));
            return new Signal(name.textValue(), payload);
        }
    }

    /** A cancel's optional {@code reason}, read the same way by the runs API and the management API. */
    public static String reason(JsonBody body) {
        body.only(CANCEL_KEYS, Reason.UNSUPPORTED_BODY_KEY);
        JsonNode reason = body.get("reason");
        if (reason == null || reason.isNull()) {
            return null;
        }
        if (!reason.isTextual() || reason.textValue().length() > MAX_REASON_LENGTH) {
            throw new KickoffException(Reason.INVALID_REQUEST, "reason must be a string of at most "
                    + MAX_REASON_LENGTH + " characters", List.of(new FieldError("/reason", "must be a short string")));
        }
        return reason.textValue();
    }

    /** A replay's {@code ?version=}: absent (the run's own version) or {@code latest} (the published one). */
    public static boolean latest(String version) {
        if (version == null) {
            return false;
        }
        if (!version.equals("latest")) {
            throw new KickoffException(Reason.INVALID_REQUEST, "version must be \"latest\" (the published version), or"
                    + " left out (the run's own version)");
        }
        return true;
    }

    private static void tag(Run run) {
        LogContext.put(LogContext.WORKFLOW_ID, run.workflowId());
        LogContext.put(LogContext.RUN_ID, run.id());
    }
}
