package dev.kickoff.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.cases.RunCase;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.template.Budget;
import dev.kickoff.core.workflow.StepDefinition;

/**
 * What a step sees: its definition, its config with every template resolved, the run it belongs to, and the
 * template scope ({@code input}, {@code steps}, {@code run}, {@code case}) in case it evaluates templates of its
 * own. {@code runCase} is the case the run belongs to (null for runs not started by a case); {@code attempt} counts
 * this step's runs, from 1 (above 1 when its {@code retry} runs it again); {@code startedAt} is when the step first
 * started (kept across a suspension: a {@code delay} counts from there); {@code now} is the engine's clock;
 * {@code deadline} is the invocation's (no step is started at or after it; null: none), so that a step that waits on
 * the outside world never waits longer than the invocation has left ({@link #timeLeft()}).
 */
public record StepInvocation(StepDefinition step, JsonNode config, Run run, JsonNode scope, Budget budget,
                             RunCase runCase, int attempt, java.time.Instant startedAt, java.time.Instant now,
                             java.time.Instant deadline) {
    public StepInvocation(StepDefinition step, JsonNode config, Run run, JsonNode scope, Budget budget,
                          RunCase runCase, int attempt, java.time.Instant startedAt, java.time.Instant now) {
        this(step, config, run, scope, budget, runCase, attempt, startedAt, now, null);
    }

    public StepInvocation(StepDefinition step, JsonNode config, Run run, JsonNode scope, Budget budget,
                          RunCase runCase) {
        this(step, config, run, scope, budget, runCase, 1, null, null, null);
    }

    public StepInvocation(StepDefinition step, JsonNode config, Run run, JsonNode scope, Budget budget) {
        this(step, config, run, scope, budget, null, 1, null, null, null);
    }

    /**
     * What is left of the invocation until its {@code deadline} (the margin after it is kept for the step's checkpoint),
     * never negative; null when there is no deadline (a tool or a test calling the engine directly).
     */
    public java.time.Duration timeLeft() {
        if (deadline == null) {
            return null;
        }
        java.time.Duration left = java.time.Duration.between(now == null ? java.time.Instant.now() : now, deadline);
        return left.isNegative() ? java.time.Duration.ZERO : left;
    }
}
