package dev.kickoff.core.action;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.connection.OpenedConnection;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.OutboundHttp;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stripe's REST API as the Stripe actions use it: form-encoded POSTs with the connection's secret key, each with an
 * idempotency key (Stripe replays the stored answer for a repeated key, so a retried step creates nothing twice),
 * through the same SSRF-safe client as every outbound request. Errors keep Stripe's message and code.
 */
final class StripeApi {
    static final String DEFAULT_BASE_URL = "https://api.stripe.com";

    private final OutboundHttp http;
    private final Clock clock;

    StripeApi(OutboundHttp http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    /** POSTs {@code form} to {@code path}; the parsed answer, or an {@link ActionFailure}. */
    JsonNode post(OpenedConnection connection, String path, List<Map.Entry<String, String>> form,
                  String idempotencyKey, Duration timeout) {
        String apiKey = connection.secret("apiKey");
        if (apiKey == null) {
            throw ActionFailure.permanent("invalid_connection", "connection " + connection.connection().id()
                    + " has no secrets.apiKey");
        }
        String base = HttpParts.text(connection.connection().config(), "baseUrl");
        base = base == null ? DEFAULT_BASE_URL : base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + apiKey);
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        headers.put("Idempotency-Key", idempotencyKey);
        headers.put("User-Agent", HttpRequestAction.USER_AGENT);
        OutboundHttp.Result result = http.send(new OutboundHttp.Request("POST", base + path, headers,
                HttpParts.encode(form).getBytes(StandardCharsets.UTF_8), timeout, HttpParts.MAX_RESPONSE_BYTES, false));
        OutboundHttp.Response r = switch (result) {
            case OutboundHttp.Failure f -> throw HttpParts.failure(f);
            case OutboundHttp.Response response -> response;
        };
        JsonNode body;
        try {
            body = r.body().length == 0 ? Json.object() : Json.read(new String(r.body(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            body = null;
        }
        if (r.status() >= 200 && r.status() < 300 && body != null) {
            return body;
        }
        JsonNode error = body == null ? Json.object() : body.path("error");
        String message = error.path("message").asText("");
        String code = error.path("code").asText(error.path("type").asText(""));
        if (message.isEmpty()) {
            message = "Stripe answered HTTP " + r.status() + (body == null ? " (not JSON)" : "");
        }
        if (code.isEmpty()) {
            code = "http_" + r.status();
        }
        // Stripe says outright whether a retry can work; without it: 409 (a concurrent request with the same key),
        // 429 and 5xx can, the rest cannot.
        String should = r.header("stripe-should-retry");
        boolean retryable = should != null ? Boolean.parseBoolean(should)
                : r.status() == 409 || r.status() == 429 || r.status() >= 500;
        if (retryable) {
            throw ActionFailure.retryable(code, "Stripe: " + message, HttpParts.retryAfter(r.header("retry-after"), clock));
        }
        throw ActionFailure.permanent(code, "Stripe: " + message);
    }
}
