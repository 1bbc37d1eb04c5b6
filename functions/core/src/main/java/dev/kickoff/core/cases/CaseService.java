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
import dev.kickoff.core.run.RunLauncher;
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
 * starts its workflow's automation: the run is launched as every run is ({@link RunLauncher}: queued, then stored),
 * and stored together with its case in one write.
 */
public final class CaseService {
    public static final int MAX_PAGE = 100;
    public static final int DEFAULT_PAGE = 50;

    private final WorkflowStore workflows;
    private final VersionCache versions;
    private final CaseStore cases;
    private final RunLauncher launcher;
    private final IdGenerator ids;
    private final Clock clock;

    public CaseService(WorkflowStore workflows, VersionCache versions, CaseStore cases, RunQueue queue,
                       IdGenerator ids, Clock clock, RunObserver observer) {
        this.workflows = workflows;
        this.versions = versions;
        this.cases = cases;
        this.launcher = new RunLauncher(queue, observer);
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * A request to create a case: the body's {@code subject} and {@code attributes} exactly as sent (either may be
     * null). Unknown body keys are the API shape's business and are refused before this is built.
     */
    public record CaseRequest(JsonNode subject, JsonNode attributes) {
    }

    /**
     * Creates an {@code Open} case and its pending run (the run queued first, then both stored in one write).
     * Refusals, in order: unknown, unpublished or another organization's workflow (404); not a direct case workflow
     * (422); a subject or attributes that break the rules or the workflow's attribute schema (422); a queue that
     * refuses the run (503). Nothing is stored when refused.
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

        return FreshIds.store(() -> {
            long caseId = ids.next();
            long runId = ids.next();
            Case kase = new Case(caseId, principal.orgId(), workflowId, subject, Case.OPEN, attributes, now, now,
                    runId);
            // The run's input is the attributes as submitted; steps see the case as it is now as {{case.…}}.
            Run run = new Run(runId, principal.orgId(), workflowId, workflow.publishedVersion(), false,
                    principal.tokenId(), "api", principal.tokenName(), "live", attributes, null, caseId, now,
                    RunStatus.PENDING, null, null, List.of(), now, null, null, 0, null, null);
            return launcher.launch(run, r -> {
                cases.create(kase, r);
                return kase;
            }, "the case could not be created: its automation could not be queued, so nothing was stored.");
        });
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
