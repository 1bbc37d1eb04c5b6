package dev.kickoff.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.cases.RunCase;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunError;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.StepRecord;
import dev.kickoff.core.template.Budget;
import dev.kickoff.core.template.TemplateException;
import dev.kickoff.core.template.Templates;
import dev.kickoff.core.workflow.StepDefinition;
import dev.kickoff.core.workflow.WorkflowDefinition;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs a run's steps that are not done yet, in memory, and says what that came to; it writes nothing itself except
 * through {@link Checkpoints} after an impure step. Shared by both execution strategies (claimed and optimistic), so
 * a step means the same thing whichever runs it.
 */
final class StepLoop {
    /** A step's resolved config is kept with its result up to this size (seed 002 shows it as input_data). */
    static final int MAX_RECORDED_INPUT_BYTES = 16 * 1024;

    /** Saves progress after an impure step. */
    interface Checkpoints {
        Saved save(Run run, List<StepRecord> records);
    }

    /** A checkpoint landed (go on with {@code run}), or the run moved under this execution ({@code outcome}). */
    sealed interface Saved {
        record Ok(Run run) implements Saved {
        }

        record Moved(Outcome outcome) implements Saved {
        }
    }

    /** Called before a transient failure propagates (the claimed strategy releases its lease). */
    interface OnTransient {
        void before(Run run);
    }

    /** What executing the remaining steps came to. */
    sealed interface Progress {
        /** Every step is done, or one failed: the run ends with this status. */
        record Ended(Run run, RunStatus status, JsonNode output, RunError error, List<StepRecord> records)
                implements Progress {
        }

        /** The deadline came before the next step; {@code records} are the steps done so far. */
        record Paused(Run run, List<StepRecord> records) implements Progress {
        }

        /** The run moved under this execution (a checkpoint or a case write was refused). */
        record Halted(Outcome outcome) implements Progress {
        }

        /** A step waits until {@code wakeAt}: the run is suspended; {@code records} end with its waiting record. */
        record Suspended(Run run, List<StepRecord> records, Instant wakeAt) implements Progress {
        }

        /**
         * A step asked to be run again at {@code wakeAt} (its {@code retry}, or a {@link StepResult.RetryLater}): the
         * run yields until then; {@code records} end with that step's {@code retrying} record.
         */
        record Deferred(Run run, List<StepRecord> records, Instant wakeAt) implements Progress {
        }
    }

    private final StepRegistry registry;
    private final Clock clock;
    private final RunObserver observer;

    StepLoop(StepRegistry registry, Clock clock, RunObserver observer) {
        this.registry = registry;
        this.clock = clock;
        this.observer = observer;
    }

    boolean allPure(WorkflowDefinition definition) {
        for (StepDefinition step : definition.steps()) {
            StepType type = registry.find(step.type()).orElse(null);
            if (type == null || !type.pure()) {
                return false;
            }
        }
        return true;
    }

    /**
     * A step that fails by throwing anything other than {@link StepFailedException} (a dependency down, a bug) is
     * transient: {@code onTransient} runs and the exception propagates, so the delivery is retried and the run
     * resumes at that step. On the {@code lastAttempt} the run ends failed instead, so that no run stays in progress
     * forever.
     */
    Progress run(Run run, WorkflowDefinition definition, RunCase runCase, boolean lastAttempt, Instant deadline,
                 Checkpoints checkpoints, OnTransient onTransient) {
        // Completed (and skipped) steps from an earlier attempt stand, and so do failures the run went on from
        // (continueOnError); anything else is redone. A step waiting for its retry remembers its attempts.
        List<StepRecord> records = new ArrayList<>();
        Set<String> done = new HashSet<>();
        java.util.Map<String, Integer> attempts = new java.util.HashMap<>();
        java.util.Map<String, Instant> waitingSince = new java.util.HashMap<>();
        // Requests a step waiting for its retry has sent so far: its record counts them over all its attempts.
        java.util.Map<String, Integer> sentBefore = new java.util.HashMap<>();
        for (StepRecord r : run.steps()) {
            if (r.completed() || r.failed()) {
                records.add(r);
                done.add(r.id());
            } else if (StepRecord.RETRYING.equals(r.status())) {
                attempts.put(r.id(), r.attempts());
                sentBefore.put(r.id(), r.outboundRequests());
            } else if (StepRecord.WAITING.equals(r.status())) {
                waitingSince.put(r.id(), r.startedAt());
            }
        }
        ObjectNode scope = scope(run, records);
        if (runCase != null) {
            scope.set("case", runCase.scope());
        }

        // A run that has not finished within its workflow's timeout fails, whatever it is waiting for: checked before
        // every step, and a wait or a retry never ends after it (so the run wakes in time to fail).
        Instant timeoutAt = definition.timeout() == null ? null : run.createdAt().plus(definition.timeout());
        List<StepDefinition> steps = definition.steps();
        for (int i = 0; i < steps.size(); i++) {
            StepDefinition step = steps.get(i);
            if (done.contains(step.id())) {
                continue;
            }
            if (timeoutAt != null && !clock.instant().isBefore(timeoutAt)) {
                return new Progress.Ended(run, RunStatus.FAILED, null, new RunError(RunError.TIMED_OUT,
                        "the run did not finish within its timeout of " + definition.timeout()), records);
            }
            if (deadline != null && !clock.instant().isBefore(deadline)) {
                return new Progress.Paused(run, records);
            }
            StepType type = registry.find(step.type()).orElse(null);
            Instant started = waitingSince.getOrDefault(step.id(), clock.instant());
            if (type == null) {
                records.add(failedRecord(step, null, "unknown step type '" + step.type() + "'", started, 1, 0));
                return new Progress.Ended(run, RunStatus.FAILED, null, new RunError(RunError.STEP_FAILED,
                        "step '" + step.id() + "' failed: unknown step type '" + step.type() + "'"), records);
            }
            Budget budget = Budget.standard();
            JsonNode config = null;
            int attempt = attempts.getOrDefault(step.id(), 0) + 1;
            int sent = sentBefore.getOrDefault(step.id(), 0);
            try {
                if (step.condition() != null && !truthy(Templates.resolve(step.condition(), scope, budget,
                        "/steps/" + i + "/if"))) {
                    StepRecord skipped = new StepRecord(step.id(), step.type(), StepRecord.SKIPPED, null, null, null,
                            started, clock.instant(), 0);
                    records.add(skipped);
                    ((ObjectNode) scope.get("steps")).set(step.id(), stepScope(skipped));
                    continue;
                }
                config = Templates.resolve(step.config(), scope, budget, "/steps/" + i + "/config");
                StepResult result = type.execute(new StepInvocation(step, config, run, scope, budget, runCase,
                        attempt, started, clock.instant(), deadline));
                if (runCase != null) {
                    scope.set("case", runCase.scope());
                }
                switch (result) {
                    case StepResult.Completed c -> {
                        StepRecord record = new StepRecord(step.id(), step.type(), StepRecord.COMPLETED,
                                recordable(c.recordedInput() != null ? c.recordedInput() : config), c.output(), null,
                                started, clock.instant(), attempt, sent + c.outboundRequests());
                        records.add(record);
                        ((ObjectNode) scope.get("steps")).set(step.id(), stepScope(record));
                        observer.stepFinished(run, record, Duration.between(started, record.completedAt()));
                    }
                    case StepResult.Skipped sk -> {
                        StepRecord record = new StepRecord(step.id(), step.type(), StepRecord.SKIPPED,
                                recordable(config), null, sk.reason(), started, clock.instant(), attempt);
                        records.add(record);
                        ((ObjectNode) scope.get("steps")).set(step.id(), stepScope(record));
                    }
                    case StepResult.Suspend wait -> {
                        records.add(new StepRecord(step.id(), step.type(), StepRecord.WAITING, recordable(config),
                                null, null, started, null, attempt));
                        return new Progress.Suspended(run, records, cap(wait.until(), timeoutAt));
                    }
                    case StepResult.RetryLater later -> {
                        records.add(new StepRecord(step.id(), step.type(), StepRecord.RETRYING, recordable(config),
                                null, later.reason(), started, clock.instant(), attempt, sent));
                        return new Progress.Deferred(run, records, cap(later.at(), timeoutAt));
                    }
                    case StepResult.Failed f -> {
                        Progress stop = failed(run, step, f.recordedInput() != null ? f.recordedInput() : config,
                                f.code(), f.message(), f.retryable(), f.retryAfter(), attempt,
                                sent + f.outboundRequests(), started, records, scope);
                        if (stop instanceof Progress.Deferred d) {
                            stop = new Progress.Deferred(d.run(), d.records(), cap(d.wakeAt(), timeoutAt));
                        }
                        if (stop != null) {
                            return stop;
                        }
                    }
                }
                if (!type.pure()) {
                    switch (checkpoints.save(run, records)) {
                        case Saved.Ok ok -> run = ok.run();
                        case Saved.Moved moved -> {
                            return new Progress.Halted(moved.outcome());
                        }
                    }
                }
            } catch (StepFailedException | TemplateException e) {
                Progress stop = failed(run, step, config, RunError.STEP_FAILED, e.getMessage(), false, null, attempt,
                        sent, started, records, scope);
                if (stop != null) {
                    return stop;
                }
            } catch (RunCase.LeaseLostException e) {
                return new Progress.Halted(new Outcome.LeaseLost(run));
            } catch (RuntimeException e) {
                if (!lastAttempt) {
                    onTransient.before(run);
                    throw e;
                }
                String message = "gave up after " + run.attempts() + " attempts: " + e;
                records.add(failedRecord(step, config, message, started, attempt, sent));
                return new Progress.Ended(run, RunStatus.FAILED, null,
                        new RunError(RunError.STEP_FAILED, "step '" + step.id() + "' failed: " + message), records);
            }
        }

        JsonNode output;
        try {
            output = definition.output() != null
                    ? Templates.resolve(definition.output(), scope, Budget.standard(), "/output")
                    : records.isEmpty() ? null : records.getLast().output();
        } catch (TemplateException e) {
            return new Progress.Ended(run, RunStatus.FAILED, null,
                    new RunError(RunError.OUTPUT_FAILED, "the workflow output failed: " + e.getMessage()), records);
        }
        return new Progress.Ended(run, RunStatus.COMPLETED, output, null, records);
    }

    /**
     * A step failed: retried later if it may be ({@code retry}, a retryable failure, attempts left), recorded and gone
     * on from ({@code continueOnError}: null), or the end of the run.
     */
    private Progress failed(Run run, StepDefinition step, JsonNode config, String code, String message,
                            boolean retryable, Duration retryAfter, int attempt, int outboundRequests, Instant started,
                            List<StepRecord> records, ObjectNode scope) {
        StepDefinition.Retry retry = step.retry();
        if (retryable && retry != null && attempt < retry.maxAttempts()) {
            records.add(new StepRecord(step.id(), step.type(), StepRecord.RETRYING, recordable(config), null, message,
                    started, clock.instant(), attempt, outboundRequests));
            return new Progress.Deferred(run, records, clock.instant().plus(backoff(retry, attempt, retryAfter)));
        }
        StepRecord record = failedRecord(step, config, message, started, attempt, outboundRequests);
        records.add(record);
        observer.stepFinished(run, record, Duration.between(started, record.completedAt()));
        if (step.continueOnError()) {
            ((ObjectNode) scope.get("steps")).set(step.id(), stepScope(record));
            return null;
        }
        return new Progress.Ended(run, RunStatus.FAILED, null,
                new RunError(code == null ? RunError.STEP_FAILED : code, "step '" + step.id() + "' failed: " + message),
                records);
    }

    /**
     * The wait before attempt {@code attempt + 1}: the backoff doubled per attempt, with "equal jitter" (half fixed,
     * half random, so that runs failing together do not retry together), at least {@code retryAfter} (an HTTP
     * Retry-After), at most 15 minutes (a run's message can be held back no longer).
     */
    static Duration backoff(StepDefinition.Retry retry, int attempt, Duration retryAfter) {
        long base = retry.backoff().toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, StepDefinition.Retry.MAX_BACKOFF.toMillis());
        long jittered = capped / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        Duration wait = Duration.ofMillis(jittered);
        if (retryAfter != null && retryAfter.compareTo(wait) > 0) {
            wait = retryAfter;
        }
        return wait.compareTo(StepDefinition.Retry.MAX_BACKOFF) > 0 ? StepDefinition.Retry.MAX_BACKOFF : wait;
    }

    private static Instant cap(Instant wake, Instant timeoutAt) {
        return timeoutAt != null && timeoutAt.isBefore(wake) ? timeoutAt : wake;
    }

    /** JSON truthiness for {@code if}: false, null, 0, "", "false" and "0" are falsy; anything else is truthy. */
    static boolean truthy(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return false;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isNumber()) {
            return value.decimalValue().signum() != 0;
        }
        if (value.isTextual()) {
            String text = value.textValue().strip();
            return !text.isEmpty() && !text.equalsIgnoreCase("false") && !text.equals("0");
        }
        return true;
    }

    private StepRecord failedRecord(StepDefinition step, JsonNode config, String message, Instant started,
                                    int attempt, int outboundRequests) {
        return new StepRecord(step.id(), step.type(), StepRecord.FAILED, recordable(config), null, message, started,
                clock.instant(), attempt, outboundRequests);
    }

    private static JsonNode recordable(JsonNode config) {
        if (config == null) {
            return null;
        }
        int size = Json.sizeOf(config);
        if (size <= MAX_RECORDED_INPUT_BYTES) {
            return config;
        }
        ObjectNode note = Json.object();
        note.put("_truncated", true);
        note.put("bytes", size);
        return note;
    }

    /** The template scope: {@code input}, {@code steps.<id>.output}, {@code run} (and {@code case}, set by the caller). */
    static ObjectNode scope(Run run, List<StepRecord> completed) {
        ObjectNode scope = Json.object();
        scope.set("input", run.input() == null ? Json.object() : run.input());
        ObjectNode steps = scope.putObject("steps");
        for (StepRecord r : completed) {
            steps.set(r.id(), stepScope(r));
        }
        ObjectNode meta = scope.putObject("run");
        meta.put("id", run.id());
        meta.put("workflow_id", run.workflowId());
        meta.put("workflow_version", run.workflowVersion());
        meta.put("created_at", run.createdAt().toString());
        if (run.connectionId() != null) {
            meta.put("connection_id", run.connectionId());
            scope.put("connectionId", run.connectionId());
        }
        return scope;
    }

    private static ObjectNode stepScope(StepRecord record) {
        ObjectNode node = Json.object();
        node.set("output", record.output());
        node.put("status", record.status());
        return node;
    }
}
