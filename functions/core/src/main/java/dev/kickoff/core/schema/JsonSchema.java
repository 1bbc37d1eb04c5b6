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
        List<SchemaViolation> out = new ArrayList<>();
        for (Error e : schema.validate(instance)) {
            out.add(violation(e));
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

    private static String stripLocation(String message) {
        if (message == null) {
            return "is invalid";
        }
        int colon = message.indexOf(": ");
        return message.startsWith("$") && colon > 0 ? message.substring(colon + 2) : message;
    }

}
