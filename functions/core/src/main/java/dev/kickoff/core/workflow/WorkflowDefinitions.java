package dev.kickoff.core.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.engine.StepRegistry;
import dev.kickoff.core.engine.StepType;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.template.Templates;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates workflow definitions. Validation reports every problem it finds, each at its JSON
 * Pointer, so one 422 tells an author everything to fix.
 */
public final class WorkflowDefinitions {
    public static final int MAX_DEFINITION_BYTES = 256 * 1024;
    public static final int MAX_STEPS = 100;
    static final Pattern STEP_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final Set<String> TOP_LEVEL_KEYS = Set.of("name", "description", "kind", "trigger", "inputSchema",
            "steps", "output", "attributeSchema", "statuses", "timeout");
    /** The longest run timeout: as long as the longest wait. */
    public static final java.time.Duration MAX_TIMEOUT = java.time.Duration.ofDays(365);
    static final Set<String> STEP_KEYS = Set.of("id", "type", "name", "config", "action", "description", "if",
            "retry", "continueOnError");
    static final Set<String> TRIGGER_TYPES = Set.of("api");

    private final StepRegistry registry;
    private final List<SchemaCheck> schemaChecks;

    /** Checks a JSON Schema document is usable; supplied by whoever owns schema validation. */
    public interface SchemaCheck {
        List<FieldError> check(JsonNode schema, String pointer);
    }

    public WorkflowDefinitions(StepRegistry registry) {
        this(registry, List.of());
    }

    public WorkflowDefinitions(StepRegistry registry, List<SchemaCheck> schemaChecks) {
        this.registry = registry;
        this.schemaChecks = List.copyOf(schemaChecks);
    }

    /** Validates a definition being saved: every problem is reported, with its JSON Pointer. */
    public WorkflowDefinition parse(JsonNode doc) {
        return parse(doc, true);
    }

    /**
     * Reads a definition that was validated when it was saved. Step types are not checked against the registry
     * (a type removed since then fails the run that reaches it, not every read of the workflow).
     */
    public WorkflowDefinition read(JsonNode doc) {
        return parse(doc, false);
    }

    private WorkflowDefinition parse(JsonNode doc, boolean strict) {
        List<FieldError> problems = new ArrayList<>();
        if (doc == null || !doc.isObject()) {
            throw new KickoffException(Reason.INVALID_DEFINITION, "the workflow definition must be a JSON object",
                    List.of(new FieldError("", "expected an object, got " + describe(doc))));
        }
        if (Json.sizeOf(doc) > MAX_DEFINITION_BYTES) {
            throw new KickoffException(Reason.PAYLOAD_TOO_LARGE,
                    "the workflow definition is larger than " + MAX_DEFINITION_BYTES + " bytes");
        }
        doc.fieldNames().forEachRemaining(key -> {
            if (!TOP_LEVEL_KEYS.contains(key)) {
                problems.add(new FieldError("/" + Templates.escape(key), "unknown field; allowed: "
                        + String.join(", ", new java.util.TreeSet<>(TOP_LEVEL_KEYS))));
            }
        });

        String name = text(doc, "name", "/name", true, 200, problems);
        String description = text(doc, "description", "/description", false, 2000, problems);

        WorkflowKind kind = WorkflowKind.STANDARD;
        JsonNode kindNode = doc.get("kind");
        if (kindNode != null && !kindNode.isNull()) {
            Optional<WorkflowKind> parsed = kindNode.isTextual() ? WorkflowKind.fromWire(kindNode.textValue()) : Optional.empty();
            if (parsed.isPresent()) {
                kind = parsed.get();
            } else {
                problems.add(new FieldError("/kind", "kind must be one of standard, direct_case, ticketing"));
            }
        }

        String triggerType = "api";
        JsonNode trigger = doc.get("trigger");
        if (trigger != null && !trigger.isNull()) {
            if (!trigger.isObject()) {
                problems.add(new FieldError("/trigger", "trigger must be an object such as {\"type\": \"api\"}"));
            } else {
                JsonNode type = trigger.get("type");
                if (type == null || !type.isTextual() || !TRIGGER_TYPES.contains(type.textValue())) {
                    problems.add(new FieldError("/trigger/type", "trigger type must be one of " + TRIGGER_TYPES));
                } else {
                    triggerType = type.textValue();
                }
            }
        }

        JsonNode inputSchema = schema(doc, "inputSchema", problems, strict);
        JsonNode attributeSchema = schema(doc, "attributeSchema", problems, strict);
        List<String> statuses = statuses(doc, problems);
        if (kind != WorkflowKind.DIRECT_CASE) {
            if (doc.hasNonNull("attributeSchema")) {
                problems.add(new FieldError("/attributeSchema", "attributeSchema applies to direct_case workflows only"));
            }
            if (doc.hasNonNull("statuses")) {
                problems.add(new FieldError("/statuses", "statuses apply to direct_case workflows only"));
            }
        }

        List<StepDefinition> steps = steps(doc, problems, strict, new StepType.Context(kind, statuses));

        JsonNode output = doc.get("output");
        if (output != null && !output.isNull()) {
            problems.addAll(Templates.check(output, "/output"));
        } else {
            output = null;
        }

        java.time.Duration timeout = null;
        JsonNode timeoutNode = doc.get("timeout");
        if (timeoutNode != null && !timeoutNode.isNull()) {
            try {
                timeout = timeoutNode.isTextual() ? java.time.Duration.parse(timeoutNode.textValue()) : null;
            } catch (java.time.format.DateTimeParseException e) {
                timeout = null;
            }
            if (timeout == null || timeout.compareTo(java.time.Duration.ofSeconds(1)) < 0
                    || timeout.compareTo(MAX_TIMEOUT) > 0) {
                problems.add(new FieldError("/timeout",
                        "timeout must be an ISO-8601 duration from PT1S to P365D, e.g. \"PT15M\""));
                timeout = null;
            }
        }

        if (!problems.isEmpty()) {
            throw new KickoffException(Reason.INVALID_DEFINITION,
                    "the workflow definition has " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s"),
                    problems);
        }
        return new WorkflowDefinition(doc.deepCopy(), name, description, kind, triggerType, inputSchema,
                List.copyOf(steps), output, attributeSchema, statuses, timeout);
    }

    private List<StepDefinition> steps(JsonNode doc, List<FieldError> problems, boolean strict,
                                       StepType.Context context) {
        List<StepDefinition> steps = new ArrayList<>();
        JsonNode stepsNode = doc.get("steps");
        if (stepsNode == null || stepsNode.isNull()) {
            return steps;
        }
        if (!stepsNode.isArray()) {
            problems.add(new FieldError("/steps", "steps must be an array"));
            return steps;
        }
        if (stepsNode.size() > MAX_STEPS) {
            problems.add(new FieldError("/steps", "a workflow has at most " + MAX_STEPS + " steps"));
            return steps;
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < stepsNode.size(); i++) {
            String at = "/steps/" + i;
            JsonNode s = stepsNode.get(i);
            if (!s.isObject()) {
                problems.add(new FieldError(at, "each step must be an object"));
                continue;
            }
            s.fieldNames().forEachRemaining(key -> {
                if (!STEP_KEYS.contains(key)) {
                    problems.add(new FieldError(at + "/" + Templates.escape(key), "unknown step field; allowed: "
                            + String.join(", ", new java.util.TreeSet<>(STEP_KEYS))));
                }
            });
            String id = text(s, "id", at + "/id", true, 64, problems);
            if (id != null) {
                if (!STEP_ID.matcher(id).matches()) {
                    problems.add(new FieldError(at + "/id", "step ids use letters, digits, '-' and '_' only"));
                } else if (!ids.add(id)) {
                    problems.add(new FieldError(at + "/id", "duplicate step id '" + id + "'"));
                }
            }
            String type = text(s, "type", at + "/type", true, 64, problems);
            String name = text(s, "name", at + "/name", false, 200, problems);
            String action = text(s, "action", at + "/action", false, 200, problems);
            JsonNode config = s.get("config");
            if (config == null || config.isNull()) {
                config = Json.object();
            } else if (!config.isObject()) {
                problems.add(new FieldError(at + "/config", "config must be an object"));
                config = Json.object();
            }
            problems.addAll(Templates.check(config, at + "/config"));
            JsonNode condition = s.get("if");
            if (condition != null && !condition.isNull()) {
                problems.addAll(Templates.check(condition, at + "/if"));
            } else {
                condition = null;
            }
            StepDefinition.Retry retry = retry(s.get("retry"), at + "/retry", problems);
            if (retry == null && (s.get("retry") == null || s.get("retry").isNull()) && type != null) {
                // No retry named: the type's own default (the steps that act retry transient failures).
                retry = registry.find(type).map(StepType::defaultRetry).orElse(null);
            }
            JsonNode continueOnError = s.get("continueOnError");
            if (continueOnError != null && !continueOnError.isNull() && !continueOnError.isBoolean()) {
                problems.add(new FieldError(at + "/continueOnError", "continueOnError must be true or false"));
            }
            StepDefinition step = new StepDefinition(id, type, name, config, action, condition, retry,
                    continueOnError != null && continueOnError.asBoolean(false));
            if (type != null && strict) {
                Optional<StepType> stepType = registry.find(type);
                if (stepType.isEmpty()) {
                    problems.add(new FieldError(at + "/type", "unknown step type '" + type + "'; known types: "
                            + String.join(", ", registry.names())));
                } else {
                    problems.addAll(stepType.get().validate(step, at, context));
                }
            }
            steps.add(step);
        }
        return steps;
    }

    /**
     * {@code {"maxAttempts": 1..10, "backoff": "PT1S"}} (backoff: ISO-8601, 1 second to 15 minutes); 1 means no retry
     * (for the step types that retry by default).
     */
    private static StepDefinition.Retry retry(JsonNode node, String pointer, List<FieldError> problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            problems.add(new FieldError(pointer, "retry must be an object such as {\"maxAttempts\": 3, \"backoff\": \"PT1S\"}"));
            return null;
        }
        JsonNode max = node.get("maxAttempts");
        int attempts = max != null && max.canConvertToInt() && max.isIntegralNumber() ? max.asInt() : -1;
        if (attempts < 1 || attempts > StepDefinition.Retry.MAX_ATTEMPTS) {
            problems.add(new FieldError(pointer + "/maxAttempts", "maxAttempts must be a whole number from 1 (no retry) to "
                    + StepDefinition.Retry.MAX_ATTEMPTS));
        }
        JsonNode backoffNode = node.get("backoff");
        java.time.Duration backoff = java.time.Duration.ofSeconds(1);
        if (backoffNode != null && !backoffNode.isNull()) {
            try {
                backoff = java.time.Duration.parse(backoffNode.asText());
            } catch (java.time.format.DateTimeParseException e) {
                backoff = null;
            }
            if (backoff == null || !backoffNode.isTextual() || backoff.compareTo(java.time.Duration.ofSeconds(1)) < 0
                    || backoff.compareTo(StepDefinition.Retry.MAX_BACKOFF) > 0) {
                problems.add(new FieldError(pointer + "/backoff",
                        "backoff must be an ISO-8601 duration from PT1S to PT15M, e.g. \"PT2S\""));
                backoff = null;
            }
        }
        node.fieldNames().forEachRemaining(key -> {
            if (!key.equals("maxAttempts") && !key.equals("backoff")) {
                problems.add(new FieldError(pointer + "/" + Templates.escape(key),
                        "unknown retry field; allowed: backoff, maxAttempts"));
            }
        });
        return attempts >= 1 && attempts <= StepDefinition.Retry.MAX_ATTEMPTS && backoff != null
                ? new StepDefinition.Retry(attempts, backoff) : null;
    }

    private JsonNode schema(JsonNode doc, String field, List<FieldError> problems, boolean strict) {
        JsonNode schema = doc.get(field);
        if (schema == null || schema.isNull()) {
            return null;
        }
        if (!schema.isObject() && !schema.isBoolean()) {
            problems.add(new FieldError("/" + field, field + " must be a JSON Schema object"));
            return null;
        }
        for (SchemaCheck check : strict ? schemaChecks : List.<SchemaCheck>of()) {
            problems.addAll(check.check(schema, "/" + field));
        }
        return schema;
    }

    private static List<String> statuses(JsonNode doc, List<FieldError> problems) {
        Set<String> all = new LinkedHashSet<>(WorkflowDefinition.DEFAULT_CASE_STATUSES);
        JsonNode node = doc.get("statuses");
        if (node != null && !node.isNull()) {
            if (!node.isArray()) {
                problems.add(new FieldError("/statuses", "statuses must be an array of names"));
            } else {
                for (int i = 0; i < node.size(); i++) {
                    JsonNode s = node.get(i);
                    String value = s.isTextual() ? s.textValue().strip() : null;
                    if (s.isObject() && s.get("name") != null && s.get("name").isTextual()) {
                        value = s.get("name").textValue().strip();
                    }
                    if (value == null || value.isEmpty() || value.length() > 64) {
                        problems.add(new FieldError("/statuses/" + i, "a status is a name of 1 to 64 characters"));
                    } else {
                        all.add(value);
                    }
                }
            }
        }
        return List.copyOf(all);
    }

    private static String text(JsonNode node, String field, String pointer, boolean required, int max,
                               List<FieldError> problems) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                problems.add(new FieldError(pointer, field + " is required"));
            }
            return null;
        }
        if (!value.isTextual()) {
            problems.add(new FieldError(pointer, field + " must be a string"));
            return null;
        }
        String text = value.textValue();
        if (required && text.isBlank()) {
            problems.add(new FieldError(pointer, field + " must not be blank"));
            return null;
        }
        if (text.length() > max) {
            problems.add(new FieldError(pointer, field + " is longer than " + max + " characters"));
            return null;
        }
        return text;
    }

    private static String describe(JsonNode node) {
        return node == null ? "nothing" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
