package dev.kickoff.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.template.Budget;
import dev.kickoff.core.workflow.StepDefinition;

/**
 * What a step sees: its definition, its config with every template resolved, the run it belongs to, and the
 * template scope ({@code input}, {@code steps}, {@code run}) in case it evaluates templates of its own.
 */
public record StepInvocation(StepDefinition step, JsonNode config, Run run, JsonNode scope, Budget budget) {
}
