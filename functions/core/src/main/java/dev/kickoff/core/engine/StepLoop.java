package dev.kickoff.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.cases.RunCase;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.run.Run;
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
        record Ended(Run run, RunStatus status, JsonNode output, String error, List<StepRecord> records)
                implements Progress {
        }

        /** The deadline came before the next step; {@code records} are the steps done so far. */
        record Paused(Run run, List<StepRecord> records) implements Progress {
        }

        /** The run moved under this execution (a checkpoint or a case write was refused). */
        record Halted(Outcome outcome) implements Progress {
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
        // Completed steps from an earlier attempt stand; anything else is redone.
        List<StepRecord> records = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (StepRecord r : run.steps()) {
            if (r.completed()) {
                records.add(r);
                done.add(r.id());
            }
        }
        ObjectNode scope = scope(run, records);
        if (runCase != null) {
            scope.set("case", runCase.scope());
        }

        List<StepDefinition> steps = definition.steps();
        for (int i = 0; i < steps.size(); i++) {
            StepDefinition step = steps.get(i);
            if (done.contains(step.id())) {
                continue;
            }
            if (deadline != null && !clock.instant().isBefore(deadline)) {
                return new Progress.Paused(run, records);
            }
            StepType type = registry.find(step.type()).orElse(null);
            Instant started = clock.instant();
            if (type == null) {
                records.add(failed(step, null, "unknown step type '" + step.type() + "'", started));
                return new Progress.Ended(run, RunStatus.FAILED, null,
                        "step '" + step.id() + "' failed: unknown step type '" + step.type() + "'", records);
            }
            Budget budget = Budget.standard();
            JsonNode config = null;
            try {
                config = Templates.resolve(step.config(), scope, budget, "/steps/" + i + "/config");
                JsonNode output = type.execute(new StepInvocation(step, config, run, scope, budget, runCase));
                if (runCase != null) {
                    scope.set("case", runCase.scope());
                }
                StepRecord record = new StepRecord(step.id(), step.type(), StepRecord.COMPLETED, recordable(config),
                        output, null, started, clock.instant());
                records.add(record);
                ((ObjectNode) scope.get("steps")).set(step.id(), stepScope(record));
                observer.stepFinished(run, record, Duration.between(started, record.completedAt()));
                if (!type.pure()) {
                    switch (checkpoints.save(run, records)) {
                        case Saved.Ok ok -> run = ok.run();
                        case Saved.Moved moved -> {
                            return new Progress.Halted(moved.outcome());
                        }
                    }
                }
            } catch (StepFailedException | TemplateException e) {
                StepRecord record = failed(step, config, e.getMessage(), started);
                records.add(record);
                observer.stepFinished(run, record, Duration.between(started, record.completedAt()));
                return new Progress.Ended(run, RunStatus.FAILED, null,
                        "step '" + step.id() + "' failed: " + e.getMessage(), records);
            } catch (RunCase.LeaseLostException e) {
                return new Progress.Halted(new Outcome.LeaseLost(run));
            } catch (RuntimeException e) {
                if (!lastAttempt) {
                    onTransient.before(run);
                    throw e;
                }
                String message = "gave up after " + run.attempts() + " attempts: " + e;
                records.add(failed(step, config, message, started));
                return new Progress.Ended(run, RunStatus.FAILED, null, "step '" + step.id() + "' failed: " + message,
                        records);
            }
        }

        JsonNode output;
        try {
            output = definition.output() != null
                    ? Templates.resolve(definition.output(), scope, Budget.standard(), "/output")
                    : records.isEmpty() ? null : records.getLast().output();
        } catch (TemplateException e) {
            return new Progress.Ended(run, RunStatus.FAILED, null, "the workflow output failed: " + e.getMessage(),
                    records);
        }
        return new Progress.Ended(run, RunStatus.COMPLETED, output, null, records);
    }

    private StepRecord failed(StepDefinition step, JsonNode config, String message, Instant started) {
        return new StepRecord(step.id(), step.type(), StepRecord.FAILED, recordable(config), null, message, started,
                clock.instant());
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
