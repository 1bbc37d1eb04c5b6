package dev.kickoff.core.run;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/**
 * One execution of one workflow version. The first group of fields is fixed when the run is created; the second
 * changes as the worker executes it. {@code leaseOwner}/{@code leaseUntil} say which worker holds it and until when;
 * {@code failure} why it failed; {@code wakeAt}, for a run waiting (pending after a step asked to be retried later),
 * when it is due again; {@code replayOf} the run this one replays; {@code retries} how many times it was retried from
 * its failed step; {@code signals} the signals it holds (see {@link RunSignals}).
 */
public record Run(
        long id,
        long orgId,
        long workflowId,
        int workflowVersion,
        boolean workflowDraft,
        long triggerId,
        String triggerType,
        String triggeredBy,
        String mode,
        JsonNode input,
        String connectionId,
        Long caseId,
        Instant createdAt,
        RunStatus status,
        JsonNode output,
        RunError failure,
        List<StepRecord> steps,
        Instant updatedAt,
        Instant startedAt,
        Instant completedAt,
        int attempts,
        String leaseOwner,
        Instant leaseUntil,
        Instant wakeAt,
        Long replayOf,
        int retries,
        RunSignals signals,
        Instant fireTime,
        java.math.BigDecimal costCents) {

    public Run {
        steps = steps == null ? List.of() : List.copyOf(steps);
        signals = signals == null ? RunSignals.NONE : signals;
    }

    /** A run as new ones are made: pending, nothing done yet. */
    public Run(long id, long orgId, long workflowId, int workflowVersion, boolean workflowDraft, long triggerId,
               String triggerType, String triggeredBy, String mode, JsonNode input, String connectionId, Long caseId,
               Instant createdAt, RunStatus status, JsonNode output, RunError failure, List<StepRecord> steps,
               Instant updatedAt, Instant startedAt, Instant completedAt, int attempts, String leaseOwner,
               Instant leaseUntil) {
        this(id, orgId, workflowId, workflowVersion, workflowDraft, triggerId, triggerType, triggeredBy, mode, input,
                connectionId, caseId, createdAt, status, output, failure, steps, updatedAt, startedAt, completedAt,
                attempts, leaseOwner, leaseUntil, null, null, 0);
    }

    /** A run as stored before signals, schedules and metering existed: no signals, no fire time, not priced. */
    public Run(long id, long orgId, long workflowId, int workflowVersion, boolean workflowDraft, long triggerId,
               String triggerType, String triggeredBy, String mode, JsonNode input, String connectionId, Long caseId,
               Instant createdAt, RunStatus status, JsonNode output, RunError failure, List<StepRecord> steps,
               Instant updatedAt, Instant startedAt, Instant completedAt, int attempts, String leaseOwner,
               Instant leaseUntil, Instant wakeAt, Long replayOf, int retries) {
        this(id, orgId, workflowId, workflowVersion, workflowDraft, triggerId, triggerType, triggeredBy, mode, input,
                connectionId, caseId, createdAt, status, output, failure, steps, updatedAt, startedAt, completedAt,
                attempts, leaseOwner, leaseUntil, wakeAt, replayOf, retries, RunSignals.NONE, null, null);
    }

    /** A run that holds signals, not started by a schedule, not priced yet. */
    public Run(long id, long orgId, long workflowId, int workflowVersion, boolean workflowDraft, long triggerId,
               String triggerType, String triggeredBy, String mode, JsonNode input, String connectionId, Long caseId,
               Instant createdAt, RunStatus status, JsonNode output, RunError failure, List<StepRecord> steps,
               Instant updatedAt, Instant startedAt, Instant completedAt, int attempts, String leaseOwner,
               Instant leaseUntil, Instant wakeAt, Long replayOf, int retries, RunSignals signals) {
        this(id, orgId, workflowId, workflowVersion, workflowDraft, triggerId, triggerType, triggeredBy, mode, input,
                connectionId, caseId, createdAt, status, output, failure, steps, updatedAt, startedAt, completedAt,
                attempts, leaseOwner, leaseUntil, wakeAt, replayOf, retries, signals, null, null);
    }

    /** A run without signals, as schedules and metering see it. */
    public Run(long id, long orgId, long workflowId, int workflowVersion, boolean workflowDraft, long triggerId,
               String triggerType, String triggeredBy, String mode, JsonNode input, String connectionId, Long caseId,
               Instant createdAt, RunStatus status, JsonNode output, RunError failure, List<StepRecord> steps,
               Instant updatedAt, Instant startedAt, Instant completedAt, int attempts, String leaseOwner,
               Instant leaseUntil, Instant wakeAt, Long replayOf, int retries, Instant fireTime, java.math.BigDecimal costCents) {
        this(id, orgId, workflowId, workflowVersion, workflowDraft, triggerId, triggerType, triggeredBy, mode, input,
                connectionId, caseId, createdAt, status, output, failure, steps, updatedAt, startedAt, completedAt,
                attempts, leaseOwner, leaseUntil, wakeAt, replayOf, retries, RunSignals.NONE, fireTime, costCents);
    }

    /** How the run was started: an API token, a case, or a schedule's fire. */
    public RunTrigger trigger() {
        return RunTrigger.of(this);
    }

    /** Its steps, step time, outbound requests and cost so far. */
    public RunUsage usage() {
        return RunUsage.of(this);
    }

    /** The same new run, as a replay of {@code runId}. */
    public Run asReplayOf(long runId) {
        return new Run(id, orgId, workflowId, workflowVersion, workflowDraft, triggerId, triggerType, triggeredBy, mode,
                input, connectionId, caseId, createdAt, status, output, failure, steps, updatedAt, startedAt,
                completedAt, attempts, leaseOwner, leaseUntil, wakeAt, runId, retries, signals, fireTime, costCents);
    }

    /** The failure's message (what every API shape shows), or null. */
    public String error() {
        return failure == null ? null : failure.message();
    }

    /** The failure's code, or null. */
    public String errorCode() {
        return failure == null ? null : failure.code();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Copy-with-changes for the fields that change while a run executes. */
    public static final class Builder {
        private final Run base;
        private RunStatus status;
        private JsonNode output;
        private RunError failure;
        private List<StepRecord> steps;
        private Instant updatedAt;
        private Instant startedAt;
        private Instant completedAt;
        private int attempts;
        private String leaseOwner;
        private Instant leaseUntil;
        private Instant wakeAt;
        private int retries;
        private RunSignals signals;

        private Builder(Run base) {
            this.base = base;
            this.status = base.status;
            this.output = base.output;
            this.failure = base.failure;
            this.steps = base.steps;
            this.updatedAt = base.updatedAt;
            this.startedAt = base.startedAt;
            this.completedAt = base.completedAt;
            this.attempts = base.attempts;
            this.leaseOwner = base.leaseOwner;
            this.leaseUntil = base.leaseUntil;
            this.wakeAt = base.wakeAt;
            this.retries = base.retries;
            this.signals = base.signals;
        }

        public Builder status(RunStatus v) { status = v; return this; }
        public Builder output(JsonNode v) { output = v; return this; }
        public Builder failure(RunError v) { failure = v; return this; }
        /** A failure without a more precise code ({@link RunError#FAILED}); null clears it. */
        public Builder error(String message) { failure = message == null ? null : new RunError(RunError.FAILED, message); return this; }
        public Builder wakeAt(Instant v) { wakeAt = v; return this; }
        public Builder retries(int v) { retries = v; return this; }
        public Builder signals(RunSignals v) { signals = v; return this; }
        public Builder steps(List<StepRecord> v) { steps = v; return this; }
        public Builder updatedAt(Instant v) { updatedAt = v; return this; }
        public Builder startedAt(Instant v) { startedAt = v; return this; }
        public Builder completedAt(Instant v) { completedAt = v; return this; }
        public Builder attempts(int v) { attempts = v; return this; }
        public Builder lease(String owner, Instant until) { leaseOwner = owner; leaseUntil = until; return this; }

        public Run build() {
            return new Run(base.id, base.orgId, base.workflowId, base.workflowVersion, base.workflowDraft,
                    base.triggerId, base.triggerType, base.triggeredBy, base.mode, base.input, base.connectionId,
                    base.caseId, base.createdAt, status, output, failure, steps, updatedAt, startedAt, completedAt,
                    attempts, leaseOwner, leaseUntil, wakeAt, base.replayOf, retries, signals, base.fireTime, base.costCents);
        }
    }
}
