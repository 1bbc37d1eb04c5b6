package dev.kickoff.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.port.RunQueue;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.port.WorkflowStore;
import dev.kickoff.core.workflow.Workflow;
import dev.kickoff.core.workflow.WorkflowKind;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** Starting runs and reading them back, for every API shape. */
public final class RunService {
    public static final int MAX_CONNECTION_ID_LENGTH = 200;

    private final WorkflowStore workflows;
    private final RunStore runs;
    private final RunQueue queue;
    private final IdGenerator ids;
    private final Clock clock;
    private final RunObserver observer;

    public RunService(WorkflowStore workflows, RunStore runs, RunQueue queue, IdGenerator ids, Clock clock,
                      RunObserver observer) {
        this.workflows = workflows;
        this.runs = runs;
        this.queue = queue;
        this.ids = ids;
        this.clock = clock;
        this.observer = observer;
    }

    /**
     * The published workflow a caller may start, or the refusal: unknown and other organizations' workflows
     * are not found, unpublished ones are {@link Reason#WORKFLOW_NOT_PUBLISHED}, and ticketing and direct case
     * workflows cannot be started as plain runs.
     */
    public Workflow startable(Principal principal, long workflowId) {
        Workflow workflow = workflowId <= 0 ? null : workflows.find(principal.orgId(), workflowId).orElse(null);
        if (workflow == null) {
            throw new KickoffException(Reason.WORKFLOW_NOT_FOUND, "workflow not found");
        }
        if (!workflow.published()) {
            throw new KickoffException(Reason.WORKFLOW_NOT_PUBLISHED,
                    "workflow " + workflowId + " is not published; publish it before starting runs");
        }
        if (workflow.kind() == WorkflowKind.TICKETING) {
            throw new KickoffException(Reason.WORKFLOW_NOT_TRIGGERABLE,
                    "ticketing workflows run off ticket events and cannot be started through the API");
        }
        if (workflow.kind() == WorkflowKind.DIRECT_CASE) {
            throw new KickoffException(Reason.WORKFLOW_NOT_TRIGGERABLE,
                    "direct case workflows start when a case is created: POST /api/external/v1/workflows/"
                            + workflowId + "/cases");
        }
        return workflow;
    }

    /** Creates a pending run of the workflow's published version and queues it. */
    public Run trigger(Principal principal, long workflowId, RunRequest request) {
        Workflow workflow = startable(principal, workflowId);
        JsonNode input = request.input() == null ? Json.object() : request.input();
        if (!input.isObject()) {
            throw new KickoffException(Reason.INVALID_REQUEST, "input must be a JSON object");
        }
        String connectionId = request.connectionId();
        if (connectionId != null && (connectionId.isBlank() || connectionId.length() > MAX_CONNECTION_ID_LENGTH)) {
            throw new KickoffException(Reason.INVALID_REQUEST,
                    "connectionId must be a non-blank string of at most " + MAX_CONNECTION_ID_LENGTH + " characters");
        }
        Run run = create(principal, workflow, input, connectionId, null);
        enqueue(run);
        return run;
    }

    /** Stores a new pending run (retrying on an ID collision) without queueing it. */
    public Run create(Principal principal, Workflow workflow, JsonNode input, String connectionId, Long caseId) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        for (int attempt = 0; ; attempt++) {
            Run run = new Run(ids.next(), principal.orgId(), workflow.id(), workflow.publishedVersion(), false,
                    principal.tokenId(), "api", principal.tokenName(), "live", input, connectionId, caseId, now,
                    RunStatus.PENDING, null, null, List.of(), now, null, null, 0, null, null);
            try {
                runs.create(run);
                observer.runCreated(run);
                return run;
            } catch (DuplicateIdException e) {
                if (attempt >= 4) {
                    throw e;
                }
            }
        }
    }

    /**
     * Queues a stored run. If the queue refuses, the run is ended as failed rather than left pending forever,
     * and the caller is told to retry: nothing is silently lost.
     */
    public void enqueue(Run run) {
        try {
            queue.enqueue(run.orgId(), run.id());
        } catch (RuntimeException e) {
            runs.abandon(run.id(), "the run could not be queued: " + e.getClass().getSimpleName(), clock.instant());
            throw new KickoffException(Reason.UNAVAILABLE, "the run could not be queued; it was not started. Retry the request.");
        }
    }

    /** A run of a workflow in the caller's organization; anything else is "not found". */
    public Run get(Principal principal, long workflowId, long runId) {
        Run run = runId <= 0 ? null : runs.find(runId).orElse(null);
        if (run == null || run.orgId() != principal.orgId() || (workflowId > 0 && run.workflowId() != workflowId)) {
            throw new KickoffException(Reason.RUN_NOT_FOUND, "run not found");
        }
        return run;
    }

    /** A run in the caller's organization, whatever its workflow (for APIs whose paths omit the workflow). */
    public Run get(Principal principal, long runId) {
        return get(principal, 0, runId);
    }
}
