package dev.kickoff.core.step;

import dev.kickoff.core.action.ActionRunner;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.workflow.StepDefinition;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A step type that is one action under the same name ({@code http} is {@code http.request}'s config, {@code email}
 * is {@code email.send}'s): it takes no {@code action} field, and its config is that action's.
 */
abstract class SingleActionStep extends ActingStep {
    private final String name;
    private final String noActionField;

    /**
     * @param name          the step type's name, also the name the action is registered under for it
     * @param noActionField the problem a definition gets that names an {@code action} anyway
     */
    SingleActionStep(Supplier<ActionRunner> runner, String name, String noActionField) {
        super(runner);
        this.name = name;
        this.noActionField = noActionField;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    protected String actionName(StepDefinition step) {
        return name;
    }

    @Override
    public List<FieldError> validate(StepDefinition step, String pointer) {
        List<FieldError> problems = new ArrayList<>();
        if (step.action() != null) {
            problems.add(new FieldError(pointer + "/action", noActionField));
        }
        problems.addAll(validateAction(step, pointer, runner().actions().find(name).orElseThrow()));
        return problems;
    }
}
