package dev.kickoff.core.cases;

import dev.kickoff.core.id.FreshIds;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.port.CaseStore;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.port.RunQueue;
import dev.kickoff.core.port.WorkflowStore;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.workflow.VersionCache;
import dev.kickoff.core.workflow.Workflow;
import dev.kickoff.core.workflow.WorkflowDefinition;
import dev.kickoff.core.workflow.WorkflowKind;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Creating cases of direct case workflows (seed 001), reading them, and listing them by status. Creating a case
 * starts its workflow's automation: the case and its run are stored together, then the run is queued.
 */
public final class CaseService {
    public static final int MAX_PAGE = 100;
    public static final int DEFAULT_PAGE = 50;

    private final WorkflowStore workflows;
    private final VersionCache versions;
    private final CaseStore cases;
    private final RunQueue queue;
    private final IdGenerator ids;
    private final Clock clock;
    private final RunObserver observer;

    public CaseService(WorkflowStore workflows, VersionCache versions, CaseStore cases, RunQueue queue,
                       IdGenerator ids, Clock clock, RunObserver observer) {
        this.workflows = workflows;
        this.versions = versions;
        this.cases = cases;
        this.queue = queue;
        this.ids = ids;
        this.clock = clock;
        this.observer = observer;
    }

    /**
     * A request to create a case: the body's {@code subject} and {@code attributes} exactly as sent (either may be
     * null). Unknown body keys are the API shape's business and are refused before this is built.
     */
    public record CaseRequest(JsonNode subject, JsonNode attributes) {
    }

    /**
     * Creates an {@code Open} case and its pending run, then queues the run. Refusals, in order: unknown,
     * unpublished or another organization's workflow (404); not a direct case workflow (422); a subject or
     * attributes that break the rules or the workflow's attribute schema (422). Nothing is stored when refused.
     */
    public Case create(Principal principal, long workflowId, CaseRequest request) {
        Workflow workflow = caseWorkflow(principal.orgId(), workflowId, true);
        WorkflowDefinition definition = versions.get(principal.orgId(), workflowId, workflow.publishedVersion())
                .orElseThrow(() -> new IllegalStateException("workflow " + workflowId + " has no version "
                        + workflow.publishedVersion()))
                .definition();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String subject = CaseRules.subject(request.subject(), now);
        ObjectNode attributes = CaseRules.attributes(request.attributes());
        CaseRules.validate(definition, attributes);

        record Created(Case kase, Run run) {
        }
        Created created = FreshIds.store(() -> {
            long caseId = ids.next();
            long runId = ids.next();
            Case kase = new Case(caseId, principal.orgId(), workflowId, subject, Case.OPEN, attributes, now, now,
                    runId);
            // The run's input is the attributes as submitted; steps see the case as it is now as {{case.…}}.
            Run run = new Run(runId, principal.orgId(), workflowId, workflow.publishedVersion(), false,
                    principal.tokenId(), "api", principal.tokenName(), "live", attributes, null, caseId, now,
                    RunStatus.PENDING, null, null, List.of(), now, null, null, 0, null, null);
            cases.create(kase, run);
            return new Created(kase, run);
        });
        observer.runCreated(created.run());
        enqueue(created.kase(), created.run());
        return created.kase();
    }

    /**
     * Queues the case's run. If the queue refuses, the run is ended as failed and the case parked in
     * {@code Error} (one transaction), and the caller is told to retry: the case is never left Open with an
     * automation that will not run. If the run turns out to have started anyway (the send did go through),
     * the case is answered as created.
     */
    private void enqueue(Case kase, Run run) {
        try {
            queue.enqueue(run.orgId(), run.id());
        } catch (RuntimeException e) {
            if (cases.abandonRun(kase, run.id(), "the run could not be queued: " + e.getClass().getSimpleName(),
                    clock.instant())) {
                throw new KickoffException(Reason.UNAVAILABLE, "the case's automation could not be started, so case "
                        + kase.id() + " was parked in Error. Retry the request.");
            }
        }
    }

    /** A case of the workflow in the caller's organization; anything else is "not found". */
    public Case get(Principal principal, long workflowId, long caseId) {
        Case kase = caseId <= 0 || workflowId <= 0 ? null : cases.find(caseId).orElse(null);
        if (kase == null || kase.orgId() != principal.orgId() || kase.workflowId() != workflowId) {
            throw new KickoffException(Reason.CASE_NOT_FOUND, "case not found");
        }
        return kase;
    }

    /** One page of a direct case workflow's cases in {@code status}, newest first. */
    public CaseStore.Page list(long orgId, long workflowId, String status, String cursor, int limit) {
        if (status == null || status.isBlank()) {
            throw new KickoffException(Reason.INVALID_REQUEST,
                    "the status query parameter is required, e.g. ?status=Open");
        }
        if (status.length() > 64) {
            throw new KickoffException(Reason.INVALID_REQUEST, "status is at most 64 characters");
        }
        if (limit < 1 || limit > MAX_PAGE) {
            throw new KickoffException(Reason.INVALID_REQUEST, "limit must be a number from 1 to " + MAX_PAGE);
        }
        caseWorkflow(orgId, workflowId, false);
        return cases.list(orgId, workflowId, status, cursor, limit);
    }

    private Workflow caseWorkflow(long orgId, long workflowId, boolean mustBePublished) {
        Workflow workflow = workflowId <= 0 ? null : workflows.find(orgId, workflowId).orElse(null);
        if (workflow == null) {
            throw new KickoffException(Reason.WORKFLOW_NOT_FOUND, "workflow not found");
        }
        if (mustBePublished && !workflow.published()) {
            throw new KickoffException(Reason.WORKFLOW_NOT_PUBLISHED,
                    "workflow " + workflowId + " is not published; publish it before creating cases");
        }
        if (workflow.kind() != WorkflowKind.DIRECT_CASE) {
            throw new KickoffException(Reason.NOT_A_CASE_WORKFLOW, "workflow " + workflowId + " is a "
                    + workflow.kind().wireName() + " workflow; cases can only be created in direct_case workflows"
                    + (workflow.kind() == WorkflowKind.TICKETING ? " (ticketing workflows take cases in from tickets)" : ""));
        }
        return workflow;
    }
}
