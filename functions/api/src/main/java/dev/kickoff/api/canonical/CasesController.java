package dev.kickoff.api.canonical;

import dev.kickoff.api.http.ApiRequests;
import dev.kickoff.api.http.Caller;
import dev.kickoff.api.http.Ids;
import dev.kickoff.api.http.JsonBody;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.api.http.Triggers;
import dev.kickoff.bootstrap.LogContext;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.cases.Case;
import dev.kickoff.core.cases.CaseService;
import dev.kickoff.core.error.Reason;
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
 * Seed 001, the cases API: create a case in a direct case workflow with {@code {"subject", "attributes"}} (which
 * starts the workflow's automation) and read it back. A POST answers 201 Created with a {@code Location}
 * header, as the runs API does. Creating a case is not one of the four trigger POSTs: it does not count
 * against the execute limit (README, "Rate limits").
 */
@Controller("/api/external/v1/workflows")
public class CasesController {
    static final Set<String> BODY_KEYS = Set.of("subject", "attributes");

    private final ApiRequests requests;
    private final CaseService cases;

    public CasesController(ApiRequests requests, CaseService cases) {
        this.requests = requests;
        this.cases = cases;
    }

    @Post("/{workflowId}/cases")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> create(@Caller(Permission.CASES_WRITE) Principal caller,
                                       @PathVariable String workflowId, JsonBody body, HttpRequest<?> request) {
        long id = workflow(caller, workflowId);
        // Seed 001: any other top-level key is refused before anything is looked up or created.
        body.only(BODY_KEYS, Reason.UNSUPPORTED_BODY_KEY);
        Case kase = cases.create(caller, id, new CaseService.CaseRequest(body.get("subject"), body.get("attributes")));
        LogContext.put(LogContext.CASE_ID, kase.id());
        LogContext.put(LogContext.RUN_ID, kase.runId());
        return JsonResponses.created(CaseJson.wrapped(kase))
                .header("Location", CaseJson.url(requests.baseUrl(request), kase));
    }

    @Get("/{workflowId}/cases/{caseId}")
    public HttpResponse<String> get(@Caller(Permission.CASES_READ) Principal caller, @PathVariable String workflowId,
                                    @PathVariable String caseId) {
        Case kase = cases.get(caller, workflow(caller, workflowId), Ids.parse(caseId));
        LogContext.put(LogContext.CASE_ID, kase.id());
        return JsonResponses.ok(CaseJson.wrapped(kase));
    }

    private static long workflow(Principal caller, String workflowId) {
        long id = Ids.parse(workflowId);
        LogContext.put(LogContext.WORKFLOW_ID, Math.max(id, 0));
        Triggers.requireWorkflow(caller, id);
        return id;
    }
}
