package dev.kickoff.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.workflow.StepDefinition;

import java.util.List;

/** {@code fail}: ends the run as failed with {@code config.message} (a template) as its error. */
public final class FailStep implements StepType {
    static final String DEFAULT_MESSAGE = "the workflow reached a fail step";

    @Override
    public String name() {
        return "fail";
    }

    @Override
    public boolean pure() {
        return true;
    }

    @Override
    public List<FieldError> validate(StepDefinition step, String pointer) {
        JsonNode message = step.config() == null ? null : step.config().get("message");
        if (message != null && !message.isTextual()) {
            return List.of(new FieldError(pointer + "/config/message", "message must be a string"));
        }
        return List.of();
    }

    @Override
    public StepResult execute(StepInvocation invocation) {
        JsonNode message = invocation.config() == null ? null : invocation.config().get("message");
        String text = message == null || message.isNull() || message.asText().isBlank()
                ? DEFAULT_MESSAGE : message.asText();
        return StepResult.failed(text);
    }
}
