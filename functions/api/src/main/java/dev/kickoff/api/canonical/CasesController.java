package dev.kickoff.api.canonical;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.api.http.ApiRequests;
import dev.kickoff.api.http.TriggerEdge;
import dev.kickoff.api.http.Ids;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.cases.Case;
import dev.kickoff.core.cases.CaseService;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.template.Templates;
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
 * Seed 001, the cases API: create a case in a direct case workflow with {@code {"subject", "attributes"}} (which
 * starts the workflow's automation) and read it back. A POST answers 201 Created with a {@code Location}
 * header, as the runs API does.
 */
@Controller("/api/external/v1/workflows")
public class CasesController {
    static final Set<String> BODY_KEYS = Set.of("subject", "attributes");

    private final ApiRequests requests;
    private final CaseService cases;

    private final TriggerEdge edge;

    public CasesController(ApiRequests requests, CaseService cases, TriggerEdge edge) {
        this.edge = edge;
        this.requests = requests;
        this.cases = cases;
    }

    @Post("/{workflowId}/cases")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> create(HttpRequest<?> request, @PathVariable String workflowId) {
        // Creating a case starts a run: it counts against the token's execute limit like every trigger.
        Principal principal = edge.authorize(request);
        long id = Ids.parse(workflowId);
        LogContext.put(LogContext.WORKFLOW_ID, Math.max(id, 0));
        JsonNode body = requests.jsonObject(request).orElse(Json.object());
        // Seed 001: any other top-level key is refused before anything is looked up or created.
        List<FieldError> unknown = new ArrayList<>();
        body.fieldNames().forEachRemaining(k -> {
            if (!BODY_KEYS.contains(k)) {
                unknown.add(new FieldError("/" + Templates.escape(k),
                        "unsupported key; the body accepts only: subject, attributes"));
            }
        });
        if (!unknown.isEmpty()) {
            throw new KickoffException(Reason.UNSUPPORTED_BODY_KEY,
                    "the body accepts only the keys subject and attributes", unknown);
        }
        Case kase = cases.create(principal, id,
                new CaseService.CaseRequest(body.get("subject"), body.get("attributes")));
        LogContext.put(LogContext.CASE_ID, kase.id());
        LogContext.put(LogContext.RUN_ID, kase.runId());
        return JsonResponses.created(CaseJson.wrapped(kase))
                .header("Location", CaseJson.url(requests.baseUrl(request), kase));
    }

    @Get("/{workflowId}/cases/{caseId}")
    public HttpResponse<String> get(HttpRequest<?> request, @PathVariable String workflowId,
                                    @PathVariable String caseId) {
        Principal principal = requests.authenticate(request, Scope.API);
        Case kase = cases.get(principal, Ids.parse(workflowId), Ids.parse(caseId));
        LogContext.put(LogContext.WORKFLOW_ID, kase.workflowId());
        LogContext.put(LogContext.CASE_ID, kase.id());
        return JsonResponses.ok(CaseJson.wrapped(kase));
    }
}
