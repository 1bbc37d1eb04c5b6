package dev.kickoff.emulators;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Lambda event filtering ({@code FilterCriteria.Filters[].Pattern}) over an event's JSON: a record is
 * delivered when any pattern matches, or when there are no patterns. A pattern is a JSON object whose leaves
 * are arrays of matchers; an object in the pattern descends into the event. A leaf matches when the event's
 * value (or, for an array value, any of its elements) equals one of the matchers, or satisfies a content
 * filter: {@code {"prefix": s}}, {@code {"suffix": s}}, {@code {"equals-ignore-case": s}},
 * {@code {"anything-but": v | [v…] | {"prefix": s}}}, {@code {"exists": true|false}},
 * {@code {"numeric": [">", 0, "<=", 5]}}. A missing field matches only {@code {"exists": false}}.
 */
public final class EventFilter {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final List<JsonNode> patterns;

    private EventFilter(List<JsonNode> patterns) {
        this.patterns = patterns;
    }

    /** @throws IllegalArgumentException for a pattern that is not valid filter syntax, as Lambda would refuse it */
    public static EventFilter of(List<String> patterns) {
        List<JsonNode> parsed = new ArrayList<>();
        for (String p : patterns) {
            JsonNode node;
            try {
                node = MAPPER.readTree(p);
            } catch (Exception e) {
                throw new IllegalArgumentException("filter pattern is not JSON: " + p, e);
            }
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("filter pattern must be a JSON object: " + p);
            }
            validate(node, p);
            parsed.add(node);
        }
        return new EventFilter(List.copyOf(parsed));
    }

    private static void validate(JsonNode pattern, String text) {
        for (Map.Entry<String, JsonNode> e : pattern.properties()) {
            JsonNode v = e.getValue();
            if (v.isObject()) {
                validate(v, text);
            } else if (!v.isArray() || v.isEmpty()) {
                throw new IllegalArgumentException("filter pattern field '" + e.getKey()
                        + "' must be a non-empty array or an object: " + text);
            }
        }
    }

    public boolean matches(JsonNode event) {
        if (patterns.isEmpty()) {
            return true;
        }
        for (JsonNode p : patterns) {
            if (matchObject(p, event)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchObject(JsonNode pattern, JsonNode event) {
        for (Map.Entry<String, JsonNode> e : pattern.properties()) {
            JsonNode value = event == null || !event.isObject() ? null : event.get(e.getKey());
            JsonNode p = e.getValue();
            if (p.isObject()) {
                if (value == null || !value.isObject() || !matchObject(p, value)) {
                    return false;
                }
            } else if (!matchLeaf(p, value)) {
                return false;
            }
        }
        return true;
    }

    private static boolean matchLeaf(JsonNode matchers, JsonNode value) {
        for (JsonNode m : matchers) {
            if (matchOne(m, value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchOne(JsonNode matcher, JsonNode value) {
        if (matcher.isObject()) {
            return content(matcher, value);
        }
        if (value == null) {
            return false;
        }
        if (value.isArray()) {
            for (JsonNode element : value) {
                if (equalsScalar(matcher, element)) {
                    return true;
                }
            }
            return false;
        }
        return equalsScalar(matcher, value);
    }

    private static boolean content(JsonNode filter, JsonNode value) {
        if (filter.size() != 1) {
            throw new IllegalArgumentException("a content filter has exactly one key: " + filter);
        }
        Map.Entry<String, JsonNode> f = filter.properties().iterator().next();
        JsonNode arg = f.getValue();
        if (f.getKey().equals("exists")) {
            return arg.asBoolean() == (value != null);
        }
        if (value == null) {
            return false;
        }
        if (value.isArray()) {
            for (JsonNode element : value) {
                if (content(filter, element)) {
                    return true;
                }
            }
            return false;
        }
        return switch (f.getKey()) {
            case "prefix" -> value.isTextual() && value.textValue().startsWith(arg.asText());
            case "suffix" -> value.isTextual() && value.textValue().endsWith(arg.asText());
            case "equals-ignore-case" -> value.isTextual()
                    && value.textValue().toLowerCase(Locale.ROOT).equals(arg.asText().toLowerCase(Locale.ROOT));
            case "anything-but" -> anythingBut(arg, value);
            case "numeric" -> numeric(arg, value);
            default -> throw new IllegalArgumentException("unsupported content filter: " + f.getKey());
        };
    }

    private static boolean anythingBut(JsonNode arg, JsonNode value) {
        if (arg.isObject() && arg.has("prefix")) {
            return !(value.isTextual() && value.textValue().startsWith(arg.get("prefix").asText()));
        }
        if (arg.isArray()) {
            for (JsonNode a : arg) {
                if (equalsScalar(a, value)) {
                    return false;
                }
            }
            return true;
        }
        return !equalsScalar(arg, value);
    }

    private static boolean numeric(JsonNode arg, JsonNode value) {
        if (!value.isNumber() || !arg.isArray() || arg.size() % 2 != 0 || arg.isEmpty()) {
            return false;
        }
        double v = value.doubleValue();
        for (int i = 0; i < arg.size(); i += 2) {
            double bound = arg.get(i + 1).doubleValue();
            boolean ok = switch (arg.get(i).asText()) {
                case "=" -> v == bound;
                case ">" -> v > bound;
                case ">=" -> v >= bound;
                case "<" -> v < bound;
                case "<=" -> v <= bound;
                default -> throw new IllegalArgumentException("unsupported numeric operator: " + arg.get(i));
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static boolean equalsScalar(JsonNode matcher, JsonNode value) {
        if (matcher.isNull()) {
            return value.isNull();
        }
        if (matcher.isNumber() && value.isNumber()) {
            return matcher.decimalValue().compareTo(value.decimalValue()) == 0;
        }
        if (matcher.isTextual() && value.isTextual()) {
            return matcher.textValue().equals(value.textValue());
        }
        if (matcher.isBoolean() && value.isBoolean()) {
            return matcher.booleanValue() == value.booleanValue();
        }
        return false;
    }
}
