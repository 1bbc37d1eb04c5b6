package dev.kickoff.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.template.Templates;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A request body that {@link JsonBodyBinder} has read and checked: JSON within the size and nesting limits,
 * without duplicate keys, and an object. An empty body is an empty object that is not {@link #present()}.
 */
public record JsonBody(ObjectNode fields, boolean present) {
    static final JsonBody ABSENT = new JsonBody(Json.object(), false);

    public JsonNode get(String key) {
        return fields.get(key);
    }

    /**
     * Refuses (with {@code reason}, 422 in the canonical shape) every key not in {@code allowed}, each listed as a
     * JSON Pointer, before anything is looked up or stored.
     */
    public JsonBody only(Set<String> allowed, Reason reason) {
        List<FieldError> unknown = new ArrayList<>();
        fields.fieldNames().forEachRemaining(k -> {
            if (!allowed.contains(k)) {
                unknown.add(new FieldError("/" + Templates.escape(k), "unsupported key; the body accepts only: "
                        + String.join(", ", allowed.stream().sorted().toList())));
            }
        });
        if (!unknown.isEmpty()) {
            throw new KickoffException(reason, "the body accepts only the keys "
                    + String.join(", ", allowed.stream().sorted().toList()), unknown);
        }
        return this;
    }

    /**
     * An optional member that must be an object when given; {@code null} counts as given (and is refused) unless
     * {@code nullIsAbsent}. Answers null when absent.
     */
    public JsonNode object(String key, boolean nullIsAbsent, String message, FieldError detail) {
        JsonNode value = fields.get(key);
        if (value == null || (nullIsAbsent && value.isNull())) {
            return null;
        }
        if (!value.isObject()) {
            throw new KickoffException(Reason.INVALID_REQUEST, message, detail == null ? List.of() : List.of(detail));
        }
        return value;
    }
}
