package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every secret the suite made or was shown — API and manage tokens, revoked ones, webhook signing secrets (and the
 * key inside them), the local invocation secret, the secrets of connections once they can be made — plus the fake
 * tokens it sent: the leak check greps the stacks' logs for each. None may appear there, except the tokens the
 * first-start banner shows once.
 */
final class Secrets {
    private static final Map<String, String> SECRETS = new ConcurrentHashMap<>();

    private Secrets() {
    }

    static void add(String secret, String what) {
        if (secret == null || secret.length() < 12) {
            return;  // nothing that short is a secret of ours, and it would match everywhere
        }
        SECRETS.putIfAbsent(secret, what);
        if (secret.startsWith("whsec_")) {
            SECRETS.putIfAbsent(secret.substring("whsec_".length()), what + " (its key)");
        }
    }

    /**
     * Takes every secret an answer or a request body carries: a {@code secret} field, values under a {@code secrets}
     * object (connections), and any string shaped like a Kickoff secret.
     */
    static void collect(JsonNode node, String what) {
        // Iterative: a fuzzed body may nest as deep as the parser allows, past what recursion survives.
        Deque<JsonNode> pending = new ArrayDeque<>();
        if (node != null) {
            pending.push(node);
        }
        while (!pending.isEmpty()) {
            JsonNode n = pending.pop();
            if (n.isObject()) {
                n.properties().forEach(e -> {
                    if (e.getKey().equals("secret") && e.getValue().isTextual()) {
                        add(e.getValue().asText(), what);
                    } else if (e.getKey().equals("secrets") && e.getValue().isObject()) {
                        e.getValue().properties().forEach(s -> {
                            if (s.getValue().isTextual()) {
                                add(s.getValue().asText(), what + " connection secret " + s.getKey());
                            }
                        });
                    }
                    pending.push(e.getValue());
                });
            } else if (n.isArray()) {
                n.forEach(pending::push);
            } else if (n.isTextual()) {
                String s = n.asText();
                if (s.matches("(api|mgt)_[A-Za-z0-9]{20,}") || s.startsWith("whsec_")) {
                    add(s, what);
                }
            }
        }
    }

    static Map<String, String> all() {
        return Map.copyOf(SECRETS);
    }
}
