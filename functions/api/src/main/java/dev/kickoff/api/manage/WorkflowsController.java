package dev.kickoff.api.manage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.http.Caller;
import dev.kickoff.api.http.JsonBody;
import dev.kickoff.api.http.Ids;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.WorkflowStore;
import dev.kickoff.core.workflow.Workflow;
import dev.kickoff.core.workflow.WorkflowService;
import dev.kickoff.bootstrap.LogContext;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;

import java.util.Set;

/**
 * Workflows of the caller's organization. Saving validates the definition and answers 422 with every problem;
 * editing saves a new draft version; publishing makes a version the one runs use.
 */
@Controller("/api/manage/v1/workflows")
public class WorkflowsController {
    static final int DEFAULT_PAGE = 50;
    static final Set<String> PUBLISH_KEYS = Set.of("version");

    private final WorkflowService workflows;

    public WorkflowsController(WorkflowService workflows) {
        this.workflows = workflows;
    }

    @Post
    @Consumes(MediaType.ALL)
    public HttpResponse<String> create(@Caller(Permission.WORKFLOWS_WRITE) Principal principal, JsonBody body) {
        var view = workflows.create(principal.orgId(), definition(body));
        LogContext.put(LogContext.WORKFLOW_ID, view.workflow().id());
        return JsonResponses.created(wrap(view));
    }

    @Get
    public HttpResponse<String> list(@Caller(Permission.WORKFLOWS_READ) Principal principal,
                                     @Nullable @QueryValue String cursor, @Nullable @QueryValue String limit) {
        WorkflowStore.Page<Workflow> page = workflows.list(principal.orgId(), cursor,
                PageLimits.parse(limit, DEFAULT_PAGE));
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("workflows");
        page.items().forEach(w -> items.add(ManageJson.workflow(w, null)));
        out.put("next_cursor", page.nextCursor());
        return JsonResponses.ok(out);
    }

    @Get("/{workflowId}")
    public HttpResponse<String> get(@Caller(Permission.WORKFLOWS_READ) Principal principal,
                                    @PathVariable String workflowId) {
        return JsonResponses.ok(wrap(workflows.get(principal.orgId(), Ids.parse(workflowId))));
    }

    @Put("/{workflowId}")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> update(@Caller(Permission.WORKFLOWS_WRITE) Principal principal,
                                       @PathVariable String workflowId, JsonBody body) {
        long id = Ids.parse(workflowId);
        LogContext.put(LogContext.WORKFLOW_ID, Math.max(0, id));
        return JsonResponses.ok(wrap(workflows.update(principal.orgId(), id, definition(body))));
    }

    @Post("/{workflowId}/publish")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> publish(@Caller(Permission.WORKFLOWS_WRITE) Principal principal,
                                        @PathVariable String workflowId, JsonBody body) {
        long id = Ids.parse(workflowId);
        LogContext.put(LogContext.WORKFLOW_ID, Math.max(0, id));
        Integer version = null;
        if (body.only(PUBLISH_KEYS, Reason.UNSUPPORTED_BODY_KEY).get("version") != null) {
            JsonNode v = body.get("version");
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                throw new KickoffException(Reason.INVALID_REQUEST, "version must be an integer");
            }
            version = v.intValue();
        }
        return JsonResponses.ok(wrap(workflows.publish(principal.orgId(), id, version)));
    }

    private static JsonNode definition(JsonBody body) {
        if (!body.present()) {
            throw new KickoffException(Reason.INVALID_REQUEST,
                    "the request body must be a workflow definition (a JSON object)");
        }
        return body.fields();
    }

    private static ObjectNode wrap(WorkflowService.View view) {
        ObjectNode out = Json.object();
        out.set("workflow", ManageJson.workflow(view.workflow(), view.version()));
        return out;
    }
}
