package dev.kickoff.core.step;

import dev.kickoff.core.action.ActionRunner;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.workflow.StepDefinition;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code http}: one HTTP request, {@code config.method}, {@code url}, {@code query}, {@code headers}, {@code body}
 * (JSON, or form with {@code bodyType: "form"}), {@code timeout}, all templated; output {@code {status, headers,
 * body}}. The {@code http.request} action (see {@link dev.kickoff.core.action.HttpRequestAction}) as a step type of
 * its own. With {@code continueOnError}, a 3xx or 4xx answer is the step's output (so a later step can look at its
 * {@code status}); any other failure is recorded and the run goes on.
 */
public final class HttpStep extends ActingStep {
    public static final String NAME = "http";

    public HttpStep(Supplier<ActionRunner> runner) {
        super(runner);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected String actionName(StepDefinition step) {
        return "http";
    }

    @Override
    public List<FieldError> validate(StepDefinition step, String pointer) {
        List<FieldError> problems = new ArrayList<>();
        if (step.action() != null) {
            problems.add(new FieldError(pointer + "/action", "an http step takes no action; use \"type\": \"action\" with"
                    + " \"action\": \"http.request\", or drop the field"));
        }
        problems.addAll(validateAction(step, pointer, runner().actions().find("http").orElseThrow()));
        return problems;
    }
}
