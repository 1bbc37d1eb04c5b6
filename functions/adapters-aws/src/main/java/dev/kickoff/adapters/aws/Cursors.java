package dev.kickoff.adapters.aws;

import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Opaque pagination cursors: a DynamoDB LastEvaluatedKey of string attributes, base64url-encoded. A cursor is
 * checked against the partition the caller may read, so a forged cursor cannot page through another org.
 */
final class Cursors {
    private Cursors() {
    }

    static String encode(Map<String, AttributeValue> lastKey) {
        if (lastKey == null || lastKey.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (var e : new TreeMap<>(lastKey).entrySet()) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(e.getKey()).append('=').append(e.getValue().s());
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A base-table cursor: exactly {@code pk} (which must be {@code partition}) and an {@code sk} with {@code skPrefix}. */
    static Map<String, AttributeValue> decodeTable(String cursor, String partition, String skPrefix) {
        Map<String, AttributeValue> key = decode(cursor, "pk", partition);
        return key == null ? null : require(key, java.util.Set.of("pk", "sk"), "sk", skPrefix);
    }

    /**
     * A {@code gsi1} cursor: exactly pk, sk, gsi1pk (which must be {@code partition}) and gsi1sk; the base-table
     * key must be an item of the kind the index lists ({@code pkPrefix}).
     */
    static Map<String, AttributeValue> decodeIndex(String cursor, String partition, String pkPrefix) {
        Map<String, AttributeValue> key = decode(cursor, "gsi1pk", partition);
        return key == null ? null : require(key, java.util.Set.of("pk", "sk", "gsi1pk", "gsi1sk"), "pk", pkPrefix);
    }

    /** DynamoDB rejects a start key that is not a whole key of the table or index: refuse it first, as a 400. */
    private static Map<String, AttributeValue> require(Map<String, AttributeValue> key, java.util.Set<String> names,
                                                       String prefixed, String prefix) {
        if (!key.keySet().equals(names) || key.values().stream().anyMatch(v -> v.s() == null || v.s().isEmpty())
                || !key.get(prefixed).s().startsWith(prefix)) {
            throw new KickoffException(Reason.INVALID_REQUEST, "invalid cursor");
        }
        return key;
    }

    /**
     * @param attribute the key attribute that must equal {@code expected}, e.g. the partition key
     */
    private static Map<String, AttributeValue> decode(String cursor, String attribute, String expected) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            if (cursor.length() > 1024) {
                throw new IllegalArgumentException();
            }
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            Map<String, AttributeValue> key = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                int eq = line.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException();
                }
                key.put(line.substring(0, eq), AttributeValue.fromS(line.substring(eq + 1)));
            }
            AttributeValue scoped = key.get(attribute);
            if (scoped == null || !expected.equals(scoped.s())) {
                throw new IllegalArgumentException();
            }
            return key;
        } catch (IllegalArgumentException e) {
            throw new KickoffException(Reason.INVALID_REQUEST, "invalid cursor");
        }
    }
}
