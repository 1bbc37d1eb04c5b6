package dev.kickoff.core.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.OutboundHttp;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the HTTP-based actions share: encodings, timeouts, Retry-After, and turning a response into output. */
final class HttpParts {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final int MAX_RESPONSE_BYTES = 1024 * 1024;

    private HttpParts() {
    }

    /**
     * {@code application/x-www-form-urlencoded} with Stripe's nesting: {@code metadata[source]=api-order},
     * {@code items[0][price]=…}. Nulls are left out.
     */
    static List<Map.Entry<String, String>> flatten(JsonNode node) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, List<Map.Entry<String, String>> out) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return;
        }
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> flatten(prefix.isEmpty() ? f.getKey() : prefix + "[" + f.getKey() + "]",
                    f.getValue(), out));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(prefix + "[" + i + "]", node.get(i), out);
            }
        } else {
            out.add(Map.entry(prefix, scalar(node)));
        }
    }

    static String scalar(JsonNode node) {
        if (node.isBigDecimal()) {
            return node.decimalValue().toPlainString();
        }
        return node.isTextual() ? node.textValue() : node.asText();
    }

    static String encode(List<Map.Entry<String, String>> pairs) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> p : pairs) {
            if (!sb.isEmpty()) {
                sb.append('&');
            }
            sb.append(URLEncoder.encode(p.getKey(), StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    /** The config's {@code timeout}: seconds as a number, or {@code "500ms"}, {@code "5s"}; null for the default. */
    static Duration timeout(JsonNode node, Duration timeLeft) {
        Duration wanted = DEFAULT_TIMEOUT;
        if (node != null && !node.isNull()) {
            wanted = parseTimeout(node);
            if (wanted == null || wanted.isNegative() || wanted.isZero()) {
                throw ActionFailure.permanent("invalid_config", "timeout must be a positive number of seconds (or \"500ms\", \"5s\")");
            }
        }
        if (timeLeft != null && timeLeft.compareTo(wanted) < 0) {
            wanted = timeLeft;
        }
        if (wanted.toMillis() < 1) {
            throw ActionFailure.retryable("no_time_left", "no time left in this invocation for the request", null);
        }
        return wanted;
    }

    static Duration parseTimeout(JsonNode node) {
        try {
            if (node.isNumber()) {
                return Duration.ofMillis(node.decimalValue().multiply(BigDecimal.valueOf(1000)).longValueExact());
            }
            if (node.isTextual()) {
                String t = node.textValue().strip().toLowerCase(Locale.ROOT);
                if (t.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).strip()));
                }
                if (t.endsWith("s")) {
                    return Duration.ofMillis(new BigDecimal(t.substring(0, t.length() - 1).strip())
                            .multiply(BigDecimal.valueOf(1000)).longValueExact());
                }
                return Duration.ofMillis(new BigDecimal(t).multiply(BigDecimal.valueOf(1000)).longValueExact());
            }
        } catch (RuntimeException e) {
            return null;
        }
        return null;
    }

    /** {@code Retry-After} as seconds or an HTTP-date (RFC 9110); null when absent or unreadable. */
    static Duration retryAfter(String value, Clock clock) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        try {
            if (v.chars().allMatch(Character::isDigit)) {
                return Duration.ofSeconds(Long.parseLong(v));
            }
            ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration d = Duration.between(clock.instant(), at.toInstant());
            return d.isNegative() ? Duration.ZERO : d;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A failure of the transport, classified: connection errors and timeouts may pass; the rest will not. */
    static ActionFailure failure(OutboundHttp.Failure f) {
        return switch (f.kind()) {
            case CONNECT -> ActionFailure.retryable("connection_failed", f.message(), null);
            case TIMEOUT -> ActionFailure.retryable("timeout", f.message(), null);
            case REFUSED -> ActionFailure.permanent("refused", f.message());
            case TOO_LARGE -> ActionFailure.permanent("response_too_large", f.message());
            case PROTOCOL -> ActionFailure.permanent("protocol_error", f.message());
        };
    }

    /** {@code {status, headers, body}}: the body parsed when the answer says it is JSON, else text. */
    static ObjectNode output(OutboundHttp.Response r) {
        ObjectNode out = Json.object();
        out.put("status", r.status());
        ObjectNode headers = out.putObject("headers");
        r.headers().forEach((name, values) -> headers.put(name, String.join(", ", values)));
        out.set("body", body(r));
        return out;
    }

    static JsonNode body(OutboundHttp.Response r) {
        String type = r.header("content-type");
        String lower = type == null ? "" : type.toLowerCase(Locale.ROOT);
        String text = new String(r.body(), charset(lower));
        boolean json = lower.startsWith("application/json") || lower.matches("^application/[^;]*\\+json.*");
        if (json) {
            if (text.isBlank()) {
                return Json.nodes().nullNode();
            }
            try {
                return Json.read(text);
            } catch (RuntimeException e) {
                return Json.nodes().textNode(text);  // says JSON, is not: keep it as text rather than fail the step
            }
        }
        return Json.nodes().textNode(text);
    }

    private static Charset charset(String contentType) {
        int i = contentType.indexOf("charset=");
        if (i >= 0) {
            String name = contentType.substring(i + 8).split("[;\\s]")[0].replace("\"", "");
            try {
                return Charset.forName(name);
            } catch (RuntimeException ignored) {
                // an unknown charset: UTF-8 is the best guess
            }
        }
        return StandardCharsets.UTF_8;
    }

    static String excerpt(byte[] body, int max) {
        String s = new String(body, StandardCharsets.UTF_8).strip();
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    static String text(JsonNode config, String key) {
        JsonNode n = config == null ? null : config.get(key);
        return n == null || n.isNull() ? null : n.isTextual() ? n.textValue() : n.asText();
    }
}
