package dev.kickoff.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * SHA-256 of a trigger request's canonical JSON, {@code {"connectionId": …, "input": …}} with object keys sorted
 * and numbers in one exact form ({@code 1.50} and {@code 1.5} are the same number). Two requests with
 * the same fingerprint ask for the same run; key order and number spelling do not make them different.
 */
public final class RequestFingerprint {
    private RequestFingerprint() {
    }

    public static String of(JsonNode input, String connectionId) {
        StringBuilder sb = new StringBuilder("{\"connectionId\":");
        sb.append(connectionId == null ? "null" : TextNode.valueOf(connectionId).toString());
        sb.append(",\"input\":");
        canonical(input, sb);
        sb.append('}');
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void canonical(JsonNode node, StringBuilder sb) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            sb.append("null");
        } else if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            sb.append('{');
            for (int i = 0; i < names.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(TextNode.valueOf(names.get(i))).append(':');
                canonical(node.get(names.get(i)), sb);
            }
            sb.append('}');
        } else if (node.isArray()) {
            sb.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                canonical(node.get(i), sb);
            }
            sb.append(']');
        } else if (node.isNumber()) {
            BigDecimal value = node.decimalValue();
            sb.append(value.signum() == 0 ? "0" : value.stripTrailingZeros().toString());
        } else {
            sb.append(node);
        }
    }
}
