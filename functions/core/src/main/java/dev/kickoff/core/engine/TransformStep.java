package dev.kickoff.core.engine;

import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.workflow.StepDefinition;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code transform}: its output is its {@code config.mapping} with every template resolved (seed 003,
 * "Calculate Order Total"). Pure: it reads the run's data and nothing else.
 */
public final class TransformStep implements StepType {
    @Override
    public String name() {
        return "transform";
    }

    @Override
    public boolean pure() {
        return true;
    }

    @Override
    public List<FieldError> validate(StepDefinition step, String pointer) {
        List<FieldError> problems = new ArrayList<>();
        if (step.config() == null || !step.config().has("mapping")) {
            problems.add(new FieldError(pointer + "/config/mapping", "transform steps need config.mapping"));
        }
        return problems;
    }

    @Override
    public StepResult execute(StepInvocation invocation) {
        return StepResult.completed(invocation.config().get("mapping"));
    }
}
