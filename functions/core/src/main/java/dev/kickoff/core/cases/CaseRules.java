package dev.kickoff.core.cases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.schema.JsonSchemas;
import dev.kickoff.core.schema.SchemaViolation;
import dev.kickoff.core.workflow.WorkflowDefinition;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The rules a case's data follows, wherever it comes from (the API creating a case, a {@code set_case} step
 * changing one). Pure functions: no I/O.
 */
public final class CaseRules {
    /** Subjects are titles: at most this many characters (Unicode code points). */
    public static final int MAX_SUBJECT_LENGTH = 255;
    /**
     * A case's attributes, as compact JSON, stay under this size. The case item and its run's input each hold a
     * copy, and both must fit a DynamoDB item (400 KB) with room to spare.
     */
    public static final int MAX_ATTRIBUTES_BYTES = 100 * 1024;

    private static final DateTimeFormatter DEFAULT_SUBJECT =
            DateTimeFormatter.ofPattern("'API - 'yyyy-MM-dd HH:mm:ss' UTC'").withZone(ZoneOffset.UTC);

    private CaseRules() {
    }

    /** Seed 001's default subject: {@code API - 2026-05-28 17:04:12 UTC}. */
    public static String defaultSubject(Instant createdAt) {
        return DEFAULT_SUBJECT.format(createdAt);
    }

    /** The subject as sent, or the default when it is absent, {@code null} or blank; 422 when not a usable string. */
    public static String subject(JsonNode subject, Instant createdAt) {
        if (Json.isNull(subject)) {
            return defaultSubject(createdAt);
        }
        if (!subject.isTextual()) {
            throw new KickoffException(Reason.VALIDATION_FAILED, "subject must be a string",
                    List.of(new FieldError("/subject", "subject must be a string")));
        }
        String text = subject.textValue();
        if (text.isBlank()) {
            return defaultSubject(createdAt);
        }
        if (text.codePointCount(0, text.length()) > MAX_SUBJECT_LENGTH) {
            String message = "subject is longer than " + MAX_SUBJECT_LENGTH + " characters";
            throw new KickoffException(Reason.VALIDATION_FAILED, message, List.of(new FieldError("/subject", message)));
        }
        return text;
    }

    /** The attributes object as sent ({@code {}} when absent or {@code null}); 422 when not an object. */
    public static ObjectNode attributes(JsonNode attributes) {
        if (Json.isNull(attributes)) {
            return Json.object();
        }
        if (!attributes.isObject()) {
            String message = "attributes must be a JSON object, not " + kind(attributes);
            throw new KickoffException(Reason.ATTRIBUTES_VALIDATION_FAILED, message,
                    List.of(new FieldError("", message)));
        }
        return (ObjectNode) attributes;
    }

    /**
     * Checks attributes against the workflow's attribute schema (none: any object) and the size limit. A refusal
     * lists every problem, each at its JSON Pointer inside the attributes object (seed 001).
     */
    public static void validate(WorkflowDefinition definition, JsonNode attributes) {
        int size = Json.sizeOf(attributes);
        if (size > MAX_ATTRIBUTES_BYTES) {
            String message = "attributes are " + size + " bytes of JSON, over the limit of " + MAX_ATTRIBUTES_BYTES;
            throw new KickoffException(Reason.ATTRIBUTES_VALIDATION_FAILED, message, List.of(new FieldError("", message)));
        }
        JsonNode schema = definition.attributeSchema();
        if (schema == null) {
            return;
        }
        List<SchemaViolation> violations;
        try {
            violations = JsonSchemas.compile(schema).validate(attributes);
        } catch (RuntimeException e) {
            // The schema compiled when the workflow was saved; one that still cannot be applied (an unresolvable
            // reference, say) is the workflow's problem, reported as such rather than as a server error.
            String message = "the workflow's attribute schema cannot be applied: " + e.getMessage();
            throw new KickoffException(Reason.ATTRIBUTES_VALIDATION_FAILED, message, List.of(new FieldError("", message)));
        }
        if (!violations.isEmpty()) {
            List<FieldError> details = new ArrayList<>();
            for (SchemaViolation v : violations) {
                details.add(v.toFieldError());
            }
            throw new KickoffException(Reason.ATTRIBUTES_VALIDATION_FAILED,
                    "attributes do not match the workflow's attribute schema (" + details.size() + " problem"
                            + (details.size() == 1 ? "" : "s") + ")", details);
        }
    }

    /** Refuses a status the workflow does not declare (the defaults Open, Closed and Error always are). */
    public static void requireDeclared(WorkflowDefinition definition, String status) {
        List<String> declared = declaredStatuses(definition);
        if (status == null || !declared.contains(status)) {
            String message = "status '" + status + "' is not declared on this workflow; its statuses are: "
                    + String.join(", ", declared);
            throw new KickoffException(Reason.VALIDATION_FAILED, message, List.of(new FieldError("/status", message)));
        }
    }

    public static List<String> declaredStatuses(WorkflowDefinition definition) {
        return definition.statuses() == null || definition.statuses().isEmpty()
                ? WorkflowDefinition.DEFAULT_CASE_STATUSES : definition.statuses();
    }

    /**
     * Applies {@code patch} to {@code target} as a JSON Merge Patch (RFC 7386): a key set to {@code null} is
     * removed, an object is merged into the object already there, and anything else replaces the old value.
     * Applying the same patch twice gives the same result as applying it once. {@code target} is not modified.
     */
    public static ObjectNode mergePatch(JsonNode target, JsonNode patch) {
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : Json.object();
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            if (value == null || value.isNull()) {
                result.remove(field.getKey());
            } else if (value.isObject()) {
                result.set(field.getKey(), mergePatch(result.get(field.getKey()), value));
            } else {
                result.set(field.getKey(), value.deepCopy());
            }
        }
        return result;
    }

    private static String kind(JsonNode node) {
        if (node.isArray()) {
            return "an array";
        }
        if (node.isTextual()) {
            return "a string";
        }
        if (node.isNumber()) {
            return "a number";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
