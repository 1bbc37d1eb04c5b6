package dev.kickoff.api.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.api.http.Caller;
import dev.kickoff.api.http.ExecuteLimited;
import dev.kickoff.api.http.JsonBody;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.api.http.Triggers;
import dev.kickoff.api.workspace.WorkspaceIds.Kind;
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


/**
 * Seed 002, the workspace trigger. A workspace is an organization: a token works in its own organization's
 * workspace only, and any other workspace ID is 404. {@code trigger_payload} becomes the run's input; other body
 * fields are ignored, as pydantic models do by default. A trigger answers 200 (FastAPI's default) with the run
 * object, also when an {@code Idempotency-Key} is replayed (then with {@code Idempotent-Replayed: true}).
 */
@Controller("/api/v1/workspaces")
public class WorkspacesController {
    private final Triggers triggers;
    private final RunService runs;

    public WorkspacesController(Triggers triggers, RunService runs) {
        this.triggers = triggers;
        this.runs = runs;
    }

    @Post("/{workspaceId}/workflows/{workflowId}/trigger")
    @Consumes(MediaType.ALL)
    @ExecuteLimited
    public HttpResponse<String> trigger(@Caller(Permission.WORKFLOWS_EXECUTE) Principal caller,
                                        @PathVariable String workspaceId, @PathVariable String workflowId,
                                        JsonBody body, HttpRequest<?> request) {
        requireWorkspace(caller, workspaceId);
        JsonNode payload = body.object("trigger_payload", true, "trigger_payload must be an object",
                new FieldError("/trigger_payload", "Input should be a valid dictionary"));
        Triggers.Started started = triggers.start(caller, WorkspaceIds.decode(workflowId, Kind.WORKFLOW), payload,
                null, null, request);
        return started.answer(JsonResponses.ok(WorkspaceRunJson.run(started.run())));
    }

    @Get("/{workspaceId}/workflows/{workflowId}/runs/{runId}")
    public HttpResponse<String> get(@Caller(Permission.RUNS_READ) Principal caller, @PathVariable String workspaceId,
                                    @PathVariable String workflowId, @PathVariable String runId) {
        requireWorkspace(caller, workspaceId);
        long workflow = WorkspaceIds.decode(workflowId, Kind.WORKFLOW);
        Triggers.requireWorkflow(caller, workflow);
        Run run = runs.get(caller, workflow, WorkspaceIds.decode(runId, Kind.RUN));
        LogContext.put(LogContext.WORKFLOW_ID, run.workflowId());
        LogContext.put(LogContext.RUN_ID, run.id());
        return JsonResponses.ok(WorkspaceRunJson.run(run));
    }

    private static void requireWorkspace(Principal principal, String workspaceId) {
        if (WorkspaceIds.decode(workspaceId, Kind.WORKSPACE) != principal.orgId()) {
            throw new KickoffException(Reason.NOT_FOUND, "Workspace not found");
        }
    }
}
