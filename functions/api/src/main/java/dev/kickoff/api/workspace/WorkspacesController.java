package dev.kickoff.api.workspace;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.api.http.ApiRequests;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.api.http.TriggerEdge;
import dev.kickoff.api.workspace.WorkspaceIds.Kind;
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

import java.util.List;

/**
 * Seed 002, the workspace trigger. A workspace is an organization: a token works in its own organization's
 * workspace only, and any other workspace ID is 404. {@code trigger_payload} becomes the run's input; other body
 * fields are ignored, as pydantic models do by default. A trigger answers 200 (FastAPI's default) with the run
 * object, also when an {@code Idempotency-Key} is replayed (then with {@code Idempotent-Replayed: true}).
 */
@Controller("/api/v1/workspaces")
public class WorkspacesController {
    private final ApiRequests requests;
    private final TriggerEdge edge;
    private final RunService runs;

    public WorkspacesController(ApiRequests requests, TriggerEdge edge, RunService runs) {
        this.requests = requests;
        this.edge = edge;
        this.runs = runs;
    }

    @Post("/{workspaceId}/workflows/{workflowId}/trigger")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> trigger(HttpRequest<?> request, @PathVariable String workspaceId,
                                        @PathVariable String workflowId) {
        Principal principal = edge.authorize(request);
        requireWorkspace(principal, workspaceId);
        long id = WorkspaceIds.decode(workflowId, Kind.WORKFLOW);
        LogContext.put(LogContext.WORKFLOW_ID, Math.max(id, 0));
        JsonNode body = requests.jsonObject(request).orElse(null);
        JsonNode payload = body == null ? null : body.get("trigger_payload");
        if (payload != null && !payload.isNull() && !payload.isObject()) {
            throw new KickoffException(Reason.INVALID_REQUEST, "trigger_payload must be an object",
                    List.of(new FieldError("/trigger_payload", "Input should be a valid dictionary")));
        }
        RunService.Triggered started = runs.start(principal, id,
                new RunRequest(payload, null, TriggerEdge.idempotencyKey(request, null)));
        LogContext.put(LogContext.RUN_ID, started.run().id());
        return TriggerEdge.replayed(JsonResponses.ok(WorkspaceRunJson.run(started.run())), started.replayed());
    }

    @Get("/{workspaceId}/workflows/{workflowId}/runs/{runId}")
    public HttpResponse<String> get(HttpRequest<?> request, @PathVariable String workspaceId,
                                    @PathVariable String workflowId, @PathVariable String runId) {
        Principal principal = requests.authenticate(request, Scope.API);
        requireWorkspace(principal, workspaceId);
        Run run = runs.get(principal, WorkspaceIds.decode(workflowId, Kind.WORKFLOW),
                WorkspaceIds.decode(runId, Kind.RUN));
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
