package dev.kickoff.core.cases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.CaseStore;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.workflow.WorkflowDefinition;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The case a run belongs to, as that run's steps see and change it. One instance per execution of the run;
 * the run is its case's only writer, so the copy held here stays current between its own writes.
 */
public final class RunCase {
    private final CaseStore store;
    private final Run run;
    private final WorkflowDefinition definition;
    private final Clock clock;
    private volatile Case current;

    private RunCase(CaseStore store, Run run, WorkflowDefinition definition, Clock clock, Case current) {
        this.store = store;
        this.run = run;
        this.definition = definition;
        this.clock = clock;
        this.current = current;
    }

    /** The run's case, read consistently; empty when the run was not started by a case (or it is gone). */
    public static Optional<RunCase> open(CaseStore store, Run run, WorkflowDefinition definition, Clock clock) {
        if (run.caseId() == null) {
            return Optional.empty();
        }
        return store.find(run.caseId())
                .filter(c -> c.orgId() == run.orgId())
                .map(c -> new RunCase(store, run, definition, clock, c));
    }

    public Case current() {
        return current;
    }

    /**
     * What templates see as {@code case}: {@code id, workflow_id, subject, status, attributes, created_at,
     * updated_at} (ISO-8601 timestamps).
     */
    public ObjectNode scope() {
        Case c = current;
        ObjectNode node = Json.object();
        node.put("id", c.id());
        node.put("workflow_id", c.workflowId());
        node.put("subject", c.subject());
        node.put("status", c.status());
        node.set("attributes", c.attributes() == null ? Json.object() : c.attributes().deepCopy());
        node.put("created_at", c.createdAt().toString());
        node.put("updated_at", c.updatedAt().toString());
        return node;
    }

    /** The outcome of {@link #set}: the case now, and whether this call changed it. */
    public record Change(Case before, Case after, boolean replayed) {
    }

    /**
     * Moves the case to {@code status} (null: unchanged) and merges {@code attributesPatch} into its attributes
     * (null: unchanged; see {@link CaseRules#mergePatch}), after checking the status is declared on the workflow
     * and the result matches the attribute schema ({@link dev.kickoff.core.error.KickoffException} otherwise).
     * Written at most once per {@code writeKey}, so a resumed run repeating the step changes nothing.
     *
     * @throws LeaseLostException when the run's lease has passed to another worker
     */
    public Change set(String writeKey, String status, JsonNode attributesPatch) {
        Case before = current;
        String newStatus = status == null ? before.status() : status;
        CaseRules.requireDeclared(definition, newStatus);
        JsonNode attributes = attributesPatch == null ? before.attributes()
                : CaseRules.mergePatch(before.attributes(), CaseRules.attributes(attributesPatch));
        CaseRules.validate(definition, attributes);
        Case after = before.with(newStatus, attributes, clock.instant().truncatedTo(ChronoUnit.MILLIS));
        return switch (store.write(after, run, run.id() + "#" + writeKey)) {
            case WRITTEN -> {
                current = after;
                yield new Change(before, after, false);
            }
            case ALREADY_WRITTEN -> {
                Case stored = store.find(before.id()).orElse(before);
                current = stored;
                yield new Change(before, stored, true);
            }
            case LEASE_LOST -> throw new LeaseLostException(run.id());
            case CASE_MISSING -> throw new KickoffException(Reason.CASE_NOT_FOUND, "case " + before.id() + " no longer exists");
        };
    }

    /**
     * The run's lease passed to another worker while this one was writing: a transient condition for the engine
     * (this worker stops; the lease holder carries on).
     */
    public static final class LeaseLostException extends RuntimeException {
        public LeaseLostException(long runId) {
            super("the lease on run " + runId + " was lost; another worker carries on", null, false, false);
        }
    }
}
