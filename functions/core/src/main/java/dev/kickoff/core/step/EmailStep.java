package dev.kickoff.core.step;

import dev.kickoff.core.action.ActionRunner;

import java.util.function.Supplier;

/**
 * {@code email} (seed 003's "Send Confirmation": {@code config.action: "send"}): {@code to}, {@code cc},
 * {@code subject}, {@code body.html} and/or {@code body.text}, through an SMTP connection; output
 * {@code {message_id, accepted, rejected}}. The {@code email.send} action (see
 * {@link dev.kickoff.core.action.EmailSendAction}) as a step type of its own. Its {@code Message-ID} derives from the
 * step's idempotency key, so a message repeated after a crash is recognisably the same message.
 */
public final class EmailStep extends SingleActionStep {
    public static final String NAME = "email";

    public EmailStep(Supplier<ActionRunner> runner) {
        super(runner, NAME, "an email step takes no action field; config.action is"
                + " \"send\" (or use \"type\": \"action\" with \"action\": \"email.send\")");
    }
}
