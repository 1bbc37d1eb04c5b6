package dev.kickoff.core.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.kickoff.core.json.Json;

/** Small helpers for the JSON values templates compute with. */
final class Values {
    private Values() {
    }

    static JsonNode orNull(JsonNode node) {
        return node == null || node.isMissingNode() ? NullNode.getInstance() : node;
    }

    static boolean isNull(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    static String describe(JsonNode node) {
        if (isNull(node)) {
            return "null";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** The text a value contributes when interpolated into a larger string. */
    static String text(JsonNode node) {
        if (isNull(node)) {
            return "";
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBigDecimal()) {
            return node.decimalValue().toPlainString();
        }
        if (node.isValueNode()) {
            return node.asText();
        }
        return Json.write(node);
    }

    static boolean truthy(JsonNode node) {
        return !(isNull(node) || (node.isBoolean() && !node.booleanValue()));
    }
}
