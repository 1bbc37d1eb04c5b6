package dev.kickoff.store;

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

    /**
     * @param attribute the key attribute that must equal {@code expected}, e.g. the partition key
     */
    static Map<String, AttributeValue> decode(String cursor, String attribute, String expected) {
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
