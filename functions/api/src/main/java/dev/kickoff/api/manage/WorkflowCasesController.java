package dev.kickoff.api.manage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.canonical.CaseJson;
import dev.kickoff.api.http.Caller;
import dev.kickoff.api.http.Ids;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.cases.CaseService;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.CaseStore;
import dev.kickoff.bootstrap.LogContext;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;

/**
 * A direct case workflow's cases in one status, newest first: {@code GET /api/manage/v1/workflows/{id}/cases
 * ?status=Open&limit=&cursor=} answers {@code {"cases": […], "next_cursor": …}} (seed 001's case objects).
 */
@Controller("/api/manage/v1/workflows")
public class WorkflowCasesController {
    private final CaseService cases;

    public WorkflowCasesController(CaseService cases) {
        this.cases = cases;
    }

    @Get("/{workflowId}/cases")
    public HttpResponse<String> list(@Caller(Permission.WORKFLOWS_READ) Principal principal,
                                     @PathVariable String workflowId, @Nullable @QueryValue String status,
                                     @Nullable @QueryValue String cursor, @Nullable @QueryValue String limit,
                                     HttpRequest<?> request) {
        if (request.getParameters().getAll("status").size() > 1) {
            // Not a filter on several statuses: each status is its own index partition, listed one at a time.
            throw new KickoffException(Reason.INVALID_REQUEST,
                    "give one status per request (?status=Open); list each status separately");
        }
        long id = Ids.parse(workflowId);
        LogContext.put(LogContext.WORKFLOW_ID, Math.max(0, id));
        CaseStore.Page page = cases.list(principal.orgId(), id, status, cursor,
                PageLimits.parse(limit, CaseService.DEFAULT_PAGE));
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("cases");
        page.items().forEach(c -> items.add(CaseJson.kase(c)));
        out.put("next_cursor", page.nextCursor());
        return JsonResponses.ok(out);
    }
}
