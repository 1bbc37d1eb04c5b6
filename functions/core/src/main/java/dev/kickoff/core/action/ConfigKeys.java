package dev.kickoff.core.action;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.template.Templates;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The first check of every action's config, worded the same for all: an object, holding only keys the action knows. */
final class ConfigKeys {
    private ConfigKeys() {
    }

    /**
     * Adds a problem for a config that is not an object, or one per unknown key (its JSON Pointer escaped, the allowed
     * keys listed in order).
     *
     * @return whether the config is an object, so that the action's own checks can read it
     */
    static boolean check(JsonNode config, String pointer, Set<String> known, String what, List<FieldError> problems) {
        if (config == null || !config.isObject()) {
            problems.add(new FieldError(pointer, "config must be an object"));
            return false;
        }
        config.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) {
                problems.add(new FieldError(pointer + "/" + Templates.escape(k), "unknown " + what + " field; allowed: "
                        + String.join(", ", new TreeSet<>(known))));
            }
        });
        return true;
    }
}
