package dev.kickoff.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.workflow.StepDefinition;
import dev.kickoff.core.workflow.WorkflowKind;

import java.util.List;

/**
 * A kind of step ({@code transform}, {@code fail}, ...). The engine resolves the step's config templates, then
 * calls {@link #execute} with the result.
 */
public interface StepType {
    String name();

    /**
     * True when the step is deterministic and has no effect outside the run (a pure function of its resolved
     * config). The engine does not checkpoint after pure steps: if a worker dies, re-running them gives the same
     * result. After every impure step the engine writes a checkpoint, so the step never runs twice.
     */
    boolean pure();

    /** Problems with the step's config beyond template syntax, as JSON Pointers under {@code pointer}. */
    List<FieldError> validate(StepDefinition step, String pointer);

    /**
     * As {@link #validate(StepDefinition, String)}, for a step type whose rules depend on the workflow around the
     * step (its kind, its declared case statuses). Called when a definition is saved.
     */
    default List<FieldError> validate(StepDefinition step, String pointer, Context workflow) {
        return validate(step, pointer);
    }

    /**
     * The {@code retry} a step of this type gets when its definition names none: null (no retry) for most types;
     * the steps that act on other systems retry transient failures by default.
     */
    default StepDefinition.Retry defaultRetry() {
        return null;
    }

    /** What a step's validation may know about the workflow it is part of. */
    record Context(WorkflowKind kind, List<String> statuses) {
    }

    /**
     * Runs the step and says what it came to ({@link StepResult}: completed with its output, failed with a code and a
     * message, to be retried later, or skipped). Throwing {@link StepFailedException} is a failure too; throwing
     * anything else is a transient error of the run's delivery (a dependency down, a bug): the delivery is retried.
     */
    StepResult execute(StepInvocation invocation);
}
