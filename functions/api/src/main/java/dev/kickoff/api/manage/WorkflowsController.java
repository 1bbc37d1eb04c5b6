package dev.kickoff.api.manage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.http.ApiRequests;
import dev.kickoff.api.http.Ids;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.WorkflowStore;
import dev.kickoff.core.workflow.Workflow;
import dev.kickoff.core.workflow.WorkflowService;
import dev.kickoff.bootstrap.LogContext;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;

/**
 * Workflows of the caller's organization. Saving validates the definition and answers 422 with every problem;
 * editing saves a new draft version; publishing makes a version the one runs use.
 */
@Controller("/api/manage/v1/workflows")
public class WorkflowsController {
    private final ApiRequests requests;
    private final WorkflowService workflows;

    public WorkflowsController(ApiRequests requests, WorkflowService workflows) {
        this.requests = requests;
        this.workflows = workflows;
    }

    @Post
    @Consumes(MediaType.ALL)
    public HttpResponse<String> create(HttpRequest<?> request) {
        Principal principal = requests.authenticate(request, Scope.MANAGE);
        var view = workflows.create(principal.orgId(), definition(request));
        LogContext.put(LogContext.WORKFLOW_ID, view.workflow().id());
        return JsonResponses.created(wrap(view));
    }

    @Get
    public HttpResponse<String> list(HttpRequest<?> request, @Nullable @QueryValue String cursor,
                                     @Nullable @QueryValue String limit) {
        Principal principal = requests.authenticate(request, Scope.MANAGE);
        int size = 50;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                throw new KickoffException(Reason.INVALID_REQUEST, "limit must be a number from 1 to "
                        + WorkflowService.MAX_PAGE);
            }
        }
        WorkflowStore.Page<Workflow> page = workflows.list(principal.orgId(), cursor, size);
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("workflows");
        page.items().forEach(w -> items.add(ManageJson.workflow(w, null)));
        out.put("next_cursor", page.nextCursor());
        return JsonResponses.ok(out);
    }

    @Get("/{workflowId}")
    public HttpResponse<String> get(HttpRequest<?> request, @PathVariable String workflowId) {
        Principal principal = requests.authenticate(request, Scope.MANAGE);
        return JsonResponses.ok(wrap(workflows.get(principal.orgId(), Ids.parse(workflowId))));
    }

    @Put("/{workflowId}")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> update(HttpRequest<?> request, @PathVariable String workflowId) {
        Principal principal = requests.authenticate(request, Scope.MANAGE);
        long id = Ids.parse(workflowId);
        LogContext.put(LogContext.WORKFLOW_ID, Math.max(0, id));
        return JsonResponses.ok(wrap(workflows.update(principal.orgId(), id, definition(request))));
    }

    @Post("/{workflowId}/publish")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> publish(HttpRequest<?> request, @PathVariable String workflowId) {
        Principal principal = requests.authenticate(request, Scope.MANAGE);
        long id = Ids.parse(workflowId);
        LogContext.put(LogContext.WORKFLOW_ID, Math.max(0, id));
        Integer version = null;
        JsonNode body = requests.jsonObject(request).orElse(null);
        if (body != null && body.has("version")) {
            JsonNode v = body.get("version");
            if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                throw new KickoffException(Reason.INVALID_REQUEST, "version must be an integer");
            }
            version = v.intValue();
        }
        return JsonResponses.ok(wrap(workflows.publish(principal.orgId(), id, version)));
    }

    private JsonNode definition(HttpRequest<?> request) {
        return requests.json(request).orElseThrow(() -> new KickoffException(Reason.INVALID_REQUEST,
                "the request body must be a workflow definition (a JSON object)"));
    }

    private static ObjectNode wrap(WorkflowService.View view) {
        ObjectNode out = Json.object();
        out.set("workflow", ManageJson.workflow(view.workflow(), view.version()));
        return out;
    }
}
