package dev.kickoff.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.bootstrap.LogContext;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunRequest;
import dev.kickoff.core.run.RunService;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import jakarta.inject.Singleton;

/**
 * What every trigger does once its shape has read its body, whatever the shape: check that the token may use
 * the workflow, take the idempotency key, start the run, and tag the log lines with the workflow and run.
 */
@Singleton
public final class Triggers {
    /** Stripe's and the IETF draft's header; accepted on every shape, alongside seed 003's body field. */
    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
    /** Set on an answer that returns the run an earlier request with the same key created. */
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    private final RunService runs;
    private final RunObserver observer;
    private final TriggerHeads heads;

    public Triggers(RunService runs, RunObserver observer, TriggerHeads heads) {
        this.runs = runs;
        this.observer = observer;
        this.heads = heads;
    }

    /** A started (or, for a repeated idempotency key, replayed) run. */
    public record Started(Run run, boolean replayed) {
        /** Marks the shape's answer as a replay when the run was created by an earlier request. */
        public <T> MutableHttpResponse<T> answer(MutableHttpResponse<T> response) {
            return replayed ? response.header(REPLAYED_HEADER, "true") : response;
        }
    }

    /**
     * Starts a run of {@code workflowId} (an ID that names nothing is negative: the core answers 404).
     *
     * @param bodyKey seed 003's {@code idempotencyKey} body field, or null
     */
    public Started start(Principal caller, long workflowId, JsonNode input, String connectionId, String bodyKey,
                         HttpRequest<?> request) {
        LogContext.put(LogContext.WORKFLOW_ID, Math.max(workflowId, 0));
        requireWorkflow(caller, workflowId);
        heads.parsed(request, workflowId);
        RunService.Triggered started = runs.start(caller, workflowId,
                new RunRequest(input, connectionId, idempotencyKey(request, bodyKey)), TriggerHeads.read(request));
        LogContext.put(LogContext.RUN_ID, started.run().id());
        if (started.replayed()) {
            observer.count("IdempotentReplays", 1);
        }
        return new Started(started.run(), started.replayed());
    }

    /** A token restricted to some workflows may use only those: 403 for the others, found or not. */
    public static void requireWorkflow(Principal caller, long workflowId) {
        if (!caller.grant().allowsWorkflow(workflowId)) {
            throw new KickoffException(Reason.WRONG_SCOPE, "this token may use only the workflows "
                    + caller.grant().sortedWorkflowIds());
        }
    }

    /**
     * The request's idempotency key: the {@code Idempotency-Key} header, or {@code bodyKey} (seed 003's
     * {@code idempotencyKey}); both may be sent only if they agree.
     */
    static String idempotencyKey(HttpRequest<?> request, String bodyKey) {
        String header = request.getHeaders().get(IDEMPOTENCY_KEY_HEADER);
        if (header != null && bodyKey != null && !header.equals(bodyKey)) {
            throw new KickoffException(Reason.INVALID_REQUEST, "the " + IDEMPOTENCY_KEY_HEADER
                    + " header and the body's idempotencyKey differ; send one of them");
        }
        return header != null ? header : bodyKey;
    }
}
