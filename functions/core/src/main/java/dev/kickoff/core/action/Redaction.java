package dev.kickoff.core.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.kickoff.core.json.Json;

import java.util.Collection;
import java.util.List;

/**
 * Keeps secrets out of a run's records: any string that contains a secret's value becomes {@code "***"} (a value
 * shorter than 4 characters only when it is the whole string, so a one-letter secret does not blank the run).
 * The actions already record secret-derived values as {@code "***"}; this is the sweep after them, for a provider
 * that echoes a credential back in its answer or its error.
 */
public final class Redaction {
    public static final String MASK = "***";
    static final int MIN_SUBSTRING = 4;

    private Redaction() {
    }

    public static JsonNode redact(JsonNode node, Collection<String> secrets) {
        if (node == null || secrets.isEmpty()) {
            return node;
        }
        if (node.isTextual()) {
            return leaks(node.textValue(), secrets) ? TextNode.valueOf(MASK) : node;
        }
        if (node.isObject()) {
            ObjectNode out = Json.object();
            node.fields().forEachRemaining(f -> out.set(f.getKey(), redact(f.getValue(), secrets)));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = Json.array();
            node.forEach(v -> out.add(redact(v, secrets)));
            return out;
        }
        return node;
    }

    /** A message with every secret's value replaced by {@code ***}. */
    public static String redact(String text, Collection<String> secrets) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String s : secrets) {
            if (s != null && s.length() >= MIN_SUBSTRING) {
                out = out.replace(s, MASK);
            } else if (s != null && !s.isEmpty() && out.equals(s)) {
                out = MASK;
            }
        }
        return out;
    }

    public static ActionResult redact(ActionResult result, Collection<String> secrets) {
        if (secrets.isEmpty()) {
            return result;
        }
        return switch (result) {
            case ActionResult.Succeeded s -> new ActionResult.Succeeded(redact(s.output(), secrets),
                    redact(s.recordedInput(), secrets));
            case ActionResult.Failed f -> new ActionResult.Failed(f.retryable(), f.retryAfter(), f.code(),
                    redact(f.message(), secrets), redact(f.recordedInput(), secrets));
        };
    }

    static boolean leaks(String text, Collection<String> secrets) {
        for (String s : secrets) {
            if (s == null || s.isEmpty()) {
                continue;
            }
            if (s.length() >= MIN_SUBSTRING ? text.contains(s) : text.equals(s)) {
                return true;
            }
        }
        return false;
    }

    static List<String> values(dev.kickoff.core.connection.OpenedConnection c) {
        return c == null ? List.of() : List.copyOf(c.secrets().values());
    }
}
