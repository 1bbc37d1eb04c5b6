package dev.kickoff.core.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.path.NodePath;
import dev.kickoff.core.template.Templates;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** A compiled JSON Schema (2020-12 unless it says otherwise with {@code $schema}). Thread-safe. */
public final class JsonSchema {
    private final Schema schema;
    private final JsonNode document;

    JsonSchema(Schema schema, JsonNode document) {
        this.schema = schema;
        this.document = document;
    }

    public JsonNode document() {
        return document;
    }

    /** Every violation, in document order, each with a JSON Pointer and a message naming it. */
    public List<SchemaViolation> validate(JsonNode instance) {
        return RegexBudget.run(() -> {
            List<SchemaViolation> out = new ArrayList<>();
            try {
                for (Error e : errors(instance)) {
                    out.add(violation(e));
                }
            } catch (RegexBudget.Exceeded e) {
                return List.of(OUT_OF_TIME);
            }
            return out;
        });
    }

    /** Every violation with its path as segments and the values involved, for API shapes that word errors their way. */
    public List<SchemaFinding> findings(JsonNode instance) {
        return RegexBudget.run(() -> {
            List<SchemaFinding> out = new ArrayList<>();
            List<Error> errors;
            try {
                errors = errors(instance);
            } catch (RegexBudget.Exceeded e) {
                return List.of(new SchemaFinding(OUT_OF_TIME, List.of(), null, null));
            }
            for (Error e : errors) {
                SchemaViolation v = violation(e);
                List<Object> path = segments(e.getInstanceLocation());
                boolean missing = "required".equals(v.keyword());
                if ((missing || "additionalProperties".equals(v.keyword()) || "unevaluatedProperties".equals(v.keyword()))
                        && e.getProperty() != null) {
                    path.add(e.getProperty());
                }
                out.add(new SchemaFinding(v, path, e.getSchemaNode(), missing ? null : e.getInstanceNode()));
            }
            return out;
        });
    }

    /**
     * Applies the schema to an input the way an API edge should: defaults filled in, unknown properties of closed
     * objects removed (see {@link SchemaShaping}), then validated. {@code instance} is not modified. Shaping and
     * validation share one regular-expression budget.
     */
    public PreparedInput prepare(JsonNode instance) {
        return RegexBudget.run(() -> {
            JsonNode copy = instance.deepCopy();
            if (document.isObject()) {
                try {
                    SchemaShaping.apply(document, copy);
                } catch (RegexBudget.Exceeded e) {
                    return new PreparedInput(instance.deepCopy(), List.of(new SchemaFinding(OUT_OF_TIME, List.of(), null, null)));
                }
            }
            return new PreparedInput(copy, findings(copy));
        });
    }

    /**
     * The input's strings could not all be checked against the schema's patterns within {@link RegexBudget}: it is
     * refused as unverified rather than let through, and the keyword is none that API shapes word as a mismatch.
     */
    static final SchemaViolation OUT_OF_TIME = new SchemaViolation("", "timeLimit",
            "value at `/` could not be checked against the schema's patterns within "
                    + RegexBudget.PER_OPERATION.toSeconds() + " seconds; simplify the patterns or send shorter strings");

    /**
     * The validator's errors. A schema whose references loop without descending into the instance would recurse
     * until the stack runs out; that is the schema's fault, reported as such rather than as a crash. (Patterns
     * no longer recurse per character: they run on RE2/J.)
     */
    private List<Error> errors(JsonNode instance) {
        try {
            return schema.validate(instance);
        } catch (StackOverflowError e) {
            throw new JsonSchemas.InvalidSchemaException(RECURSES);
        } catch (JsonSchemas.InvalidSchemaException | RegexBudget.Exceeded e) {
            throw e;
        } catch (RuntimeException e) {
            if (e.getCause() instanceof RegexBudget.Exceeded exceeded) {
                throw exceeded;
            }
            // e.g. a remote $ref, which is never fetched
            throw new JsonSchemas.InvalidSchemaException(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    static final String RECURSES = "the schema refers to itself without end (a $ref loop that never reaches a value)";

    static List<Object> segments(NodePath path) {
        List<Object> out = new ArrayList<>();
        if (path != null) {
            for (int i = 0; i < path.getNameCount(); i++) {
                Object element = path.getElement(i);
                out.add(element instanceof Integer n ? n : String.valueOf(element));
            }
        }
        return out;
    }

    static SchemaViolation violation(Error e) {
        String keyword = e.getKeyword() == null ? "" : e.getKeyword();
        String pointer = pointer(e.getInstanceLocation());
        if ("required".equals(keyword) && e.getProperty() != null) {
            pointer = pointer + "/" + Templates.escape(e.getProperty());
        } else if (("additionalProperties".equals(keyword) || "unevaluatedProperties".equals(keyword))
                && e.getProperty() != null) {
            pointer = pointer + "/" + Templates.escape(e.getProperty());
        }
        return new SchemaViolation(pointer, keyword, message(keyword, pointer, e));
    }

    /** RFC 6901 pointer of a networknt instance location ({@code $.items[0].qty} becomes {@code /items/0/qty}). */
    static String pointer(NodePath path) {
        if (path == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < path.getNameCount(); i++) {
            Object element = path.getElement(i);
            sb.append('/').append(element instanceof Integer n ? n.toString() : Templates.escape(String.valueOf(element)));
        }
        return sb.toString();
    }

    private static String message(String keyword, String pointer, Error e) {
        String at = "value at `" + (pointer.isEmpty() ? "/" : pointer) + "`";
        JsonNode schemaNode = e.getSchemaNode();
        return switch (keyword) {
            case "type" -> at + " is not " + article(schemaNode);
            case "required" -> at + " is required";
            case "additionalProperties", "unevaluatedProperties" -> at + " is not allowed";
            case "enum" -> at + " must be one of " + list(schemaNode);
            case "const" -> at + " must be " + schemaNode;
            case "minimum" -> at + " must be at least " + schemaNode;
            case "maximum" -> at + " must be at most " + schemaNode;
            case "exclusiveMinimum" -> at + " must be greater than " + schemaNode;
            case "exclusiveMaximum" -> at + " must be less than " + schemaNode;
            case "minLength" -> at + " must be at least " + schemaNode + " characters long";
            case "maxLength" -> at + " must be at most " + schemaNode + " characters long";
            case "pattern" -> at + " does not match the pattern " + (schemaNode == null ? "" : schemaNode.asText());
            case "format" -> at + " is not a valid " + (schemaNode == null ? "value" : schemaNode.asText());
            case "minItems" -> at + " must have at least " + schemaNode + " items";
            case "maxItems" -> at + " must have at most " + schemaNode + " items";
            case "uniqueItems" -> at + " must not contain duplicate items";
            case "multipleOf" -> at + " must be a multiple of " + schemaNode;
            default -> at + ": " + stripLocation(e.getMessage());
        };
    }

    private static String article(JsonNode type) {
        if (type == null) {
            return "of the right type";
        }
        if (type.isArray()) {
            List<String> names = new ArrayList<>();
            type.forEach(t -> names.add(typeName(t.asText())));
            return String.join(" or ", names);
        }
        return typeName(type.asText());
    }

    private static String typeName(String type) {
        return switch (type) {
            case "integer", "object", "array" -> "an " + type;
            case "null" -> "null";
            default -> "a " + type;
        };
    }

    private static String list(JsonNode values) {
        if (values == null || !values.isArray()) {
            return String.valueOf(values);
        }
        List<String> out = new ArrayList<>();
        Iterator<JsonNode> it = values.elements();
        while (it.hasNext()) {
            JsonNode v = it.next();
            out.add(v.isTextual() ? v.textValue() : v.toString());
        }
        return String.join(", ", out);
    }

    static String stripLocation(String message) {
        if (message == null) {
            return "is invalid";
        }
        int colon = message.indexOf(": ");
        return message.startsWith("$") && colon > 0 ? message.substring(colon + 2) : message;
    }

}
