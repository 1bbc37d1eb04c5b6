package dev.kickoff.core.step;

import dev.kickoff.core.action.ActionRunner;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.workflow.StepDefinition;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code email} (seed 003's "Send Confirmation": {@code config.action: "send"}): {@code to}, {@code cc},
 * {@code subject}, {@code body.html} and/or {@code body.text}, through an SMTP connection; output
 * {@code {message_id, accepted, rejected}}. The {@code email.send} action (see
 * {@link dev.kickoff.core.action.EmailSendAction}) as a step type of its own. Its {@code Message-ID} derives from the
 * step's idempotency key, so a message repeated after a crash is recognisably the same message.
 */
public final class EmailStep extends ActingStep {
    public static final String NAME = "email";

    public EmailStep(Supplier<ActionRunner> runner) {
        super(runner);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected String actionName(StepDefinition step) {
        return "email";
    }

    @Override
    public List<FieldError> validate(StepDefinition step, String pointer) {
        List<FieldError> problems = new ArrayList<>();
        if (step.action() != null) {
            problems.add(new FieldError(pointer + "/action", "an email step takes no action field; config.action is"
                    + " \"send\" (or use \"type\": \"action\" with \"action\": \"email.send\")"));
        }
        problems.addAll(validateAction(step, pointer, runner().actions().find("email").orElseThrow()));
        return problems;
    }
}
