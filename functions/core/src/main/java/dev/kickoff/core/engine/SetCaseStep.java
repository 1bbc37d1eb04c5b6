package dev.kickoff.core.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.cases.RunCase;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.template.Template;
import dev.kickoff.core.template.Templates;
import dev.kickoff.core.workflow.StepDefinition;
import dev.kickoff.core.workflow.WorkflowKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code set_case}: moves the run's case to {@code config.status} and/or merges {@code config.attributes} into
 * its attributes (a JSON Merge Patch, RFC 7386: a key set to {@code null} is removed, objects merge, anything
 * else replaces). Both may be templates. The status must be one the workflow declares (checked when the
 * definition is saved if it is a literal, and always when the step runs); the merged attributes must match the
 * workflow's attribute schema. Either refusal fails the step, and with it the run (which parks the case in
 * {@code Error}).
 *
 * <p>Impure (it writes the case), so the engine checkpoints after it; the write is keyed by run and step, so a run
 * resumed after a crash that repeats the step changes nothing. Output: {@code {"status", "previous_status"}}
 * ({@code previous_status} is null when the step repeated a write already made).
 */
public final class SetCaseStep implements StepType {
    static final Set<String> CONFIG_KEYS = Set.of("status", "attributes");

    @Override
    public String name() {
        return "set_case";
    }

    @Override
    public boolean pure() {
        return false;
    }

    @Override
    public List<FieldError> validate(StepDefinition step, String pointer) {
        List<FieldError> problems = new ArrayList<>();
        JsonNode config = step.config() == null ? Json.object() : step.config();
        config.fieldNames().forEachRemaining(key -> {
            if (!CONFIG_KEYS.contains(key)) {
                problems.add(new FieldError(pointer + "/config/" + Templates.escape(key),
                        "unknown set_case field; allowed: attributes, status"));
            }
        });
        JsonNode status = config.get("status");
        JsonNode attributes = config.get("attributes");
        if (Json.isNull(status) && Json.isNull(attributes)) {
            problems.add(new FieldError(pointer + "/config", "set_case needs config.status, config.attributes, or both"));
        }
        if (!Json.isNull(status) && (!status.isTextual() || status.textValue().isBlank())) {
            problems.add(new FieldError(pointer + "/config/status", "status must be a non-blank string"));
        }
        if (!Json.isNull(attributes) && !attributes.isObject() && !isTemplate(attributes)) {
            problems.add(new FieldError(pointer + "/config/attributes",
                    "attributes must be an object (or a template that yields one)"));
        }
        return problems;
    }

    @Override
    public List<FieldError> validate(StepDefinition step, String pointer, Context workflow) {
        List<FieldError> problems = new ArrayList<>(validate(step, pointer));
        if (workflow.kind() != WorkflowKind.DIRECT_CASE) {
            problems.add(new FieldError(pointer + "/type", "set_case steps belong to direct_case workflows"));
            return problems;
        }
        JsonNode status = step.config() == null ? null : step.config().get("status");
        if (status != null && status.isTextual() && !Template.isTemplated(status.textValue())
                && !workflow.statuses().contains(status.textValue())) {
            problems.add(new FieldError(pointer + "/config/status", "status '" + status.textValue()
                    + "' is not declared on this workflow; its statuses are: " + String.join(", ", workflow.statuses())));
        }
        return problems;
    }

    @Override
    public StepResult execute(StepInvocation invocation) {
        RunCase runCase = invocation.runCase();
        if (runCase == null) {
            throw new StepFailedException("set_case only works in runs started by creating a case");
        }
        JsonNode config = invocation.config() == null ? Json.object() : invocation.config();
        JsonNode status = config.get("status");
        JsonNode attributes = config.get("attributes");
        if (!Json.isNull(status) && !status.isTextual()) {
            throw new StepFailedException("status must be a string, not " + status.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (!Json.isNull(attributes) && !attributes.isObject()) {
            throw new StepFailedException("attributes must be an object, not "
                    + attributes.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        RunCase.Change change;
        try {
            change = runCase.set(invocation.step().id(), Json.isNull(status) ? null : status.textValue(),
                    Json.isNull(attributes) ? null : attributes);
        } catch (KickoffException e) {
            throw new StepFailedException(describe(e));
        }
        ObjectNode output = Json.object();
        output.put("status", change.after().status());
        if (change.replayed()) {
            output.putNull("previous_status");
        } else {
            output.put("previous_status", change.before().status());
        }
        return StepResult.completed(output);
    }

    private static boolean isTemplate(JsonNode node) {
        return node.isTextual() && Template.isTemplated(node.textValue());
    }

    /** The refusal with every problem in it, e.g. "attributes do not match …: value at `/amount` is not a number". */
    private static String describe(KickoffException e) {
        if (e.details().isEmpty() || (e.details().size() == 1 && e.getMessage().equals(e.details().getFirst().message()))) {
            return e.getMessage();
        }
        return e.getMessage() + ": " + e.details().stream().map(FieldError::message).collect(Collectors.joining("; "));
    }
}
