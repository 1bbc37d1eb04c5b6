package dev.kickoff.core.step;

import dev.kickoff.core.action.Action;
import dev.kickoff.core.action.ActionRunner;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.workflow.StepDefinition;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code action} (seed 003's "Create Invoice": {@code "action": "stripe.createInvoice"} beside {@code config}): one
 * provider operation by name, {@code http.request}, {@code stripe.createCustomer}, {@code stripe.createInvoice} or
 * {@code email.send}, with that operation's config. The name is checked when the definition is saved.
 */
public final class ActionStep extends ActingStep {
    public static final String NAME = "action";

    public ActionStep(Supplier<ActionRunner> runner) {
        super(runner);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected String actionName(StepDefinition step) {
        return step.action();
    }

    @Override
    public List<FieldError> validate(StepDefinition step, String pointer) {
        List<String> known = runner().actions().actionNames();
        if (step.action() == null) {
            return List.of(new FieldError(pointer + "/action", "action steps name their operation, e.g. \"action\":"
                    + " \"stripe.createInvoice\"; known actions: " + String.join(", ", known)));
        }
        Optional<Action> action = known.contains(step.action()) ? runner().actions().find(step.action()) : Optional.empty();
        if (action.isEmpty()) {
            return List.of(new FieldError(pointer + "/action", "unknown action '" + shorten(step.action())
                    + "'; known actions: " + String.join(", ", known)));
        }
        return validateAction(step, pointer, action.get());
    }
}
