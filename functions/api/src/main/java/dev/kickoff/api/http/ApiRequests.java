package dev.kickoff.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.auth.TokenService;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.bootstrap.LogContext;
import dev.kickoff.bootstrap.Settings;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.micronaut.http.HttpHeaders;
import io.micronaut.servlet.http.ServletHttpRequest;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** What every endpoint does with a request before the core sees it: size limit, JSON, authentication. */
@Singleton
public final class ApiRequests {
    /** Larger bodies are refused with 413 before they are parsed. SQS and Step Functions cap payloads alike. */
    public static final int MAX_BODY_BYTES = 256 * 1024;

    private final TokenService tokens;
    private final Settings settings;

    public ApiRequests(TokenService tokens, Settings settings) {
        this.tokens = tokens;
        this.settings = settings;
    }

    /** The raw body, empty when there is none; 413 when over the limit. */
    public byte[] body(HttpRequest<?> request) {
        long declared = request.getContentLength();
        if (declared > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        byte[] body = raw(request);
        if (body.length > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        return body;
    }

    /**
     * The body exactly as API Gateway delivered it. Read from the event itself, not through Micronaut's body
     * readers, which would parse (and reject) it by content type before Kickoff can answer with its own errors.
     */
    private static byte[] raw(HttpRequest<?> request) {
        HttpRequest<?> unwrapped = request;
        while (unwrapped instanceof io.micronaut.http.HttpRequestWrapper<?> wrapper) {
            unwrapped = wrapper.getDelegate();
        }
        if (unwrapped instanceof ServletHttpRequest<?, ?> servlet
                && servlet.getNativeRequest() instanceof APIGatewayV2HTTPEvent event) {
            String body = event.getBody();
            if (body == null) {
                return new byte[0];
            }
            return event.getIsBase64Encoded() ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        }
        return request.getBody(String.class).map(b -> b.getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
    }

    private static KickoffException tooLarge() {
        return new KickoffException(Reason.PAYLOAD_TOO_LARGE,
                "the request body is larger than " + MAX_BODY_BYTES + " bytes");
    }

    /** The body as JSON; an empty body (or whitespace, or {@code null}) is absent. */
    public Optional<JsonNode> json(HttpRequest<?> request) {
        byte[] body = body(request);
        if (isBlank(body)) {
            return Optional.empty();
        }
        JsonNode node = Json.parse(body);
        return node.isNull() ? Optional.empty() : Optional.of(node);
    }

    /** The body as a JSON object; anything else is a 400. */
    public Optional<JsonNode> jsonObject(HttpRequest<?> request) {
        Optional<JsonNode> node = json(request);
        if (node.isPresent() && !node.get().isObject()) {
            throw new KickoffException(Reason.INVALID_REQUEST, "the request body must be a JSON object");
        }
        return node;
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    /**
     * Authenticates the request's token ({@code Authorization: Bearer}, or {@code x-api-key}) and checks its scope.
     * The org ID goes into the log context; the token never goes anywhere.
     */
    public Principal authenticate(HttpRequest<?> request, Scope scope) {
        String secret = bearer(request);
        if (secret == null) {
            secret = request.getHeaders().get("x-api-key");
        }
        Principal principal;
        try {
            principal = tokens.require(secret == null ? null : secret.strip(), scope, secret != null);
        } catch (KickoffException e) {
            // The external APIs document only 401 for token problems; a manage token there is one.
            if (e.reason() == Reason.WRONG_SCOPE && scope == Scope.API) {
                throw new KickoffException(Reason.UNAUTHENTICATED, e.getMessage());
            }
            throw e;
        }
        LogContext.put(LogContext.ORG_ID, principal.orgId());
        return principal;
    }

    private static String bearer(HttpRequest<?> request) {
        String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            return null;
        }
        String trimmed = header.strip();
        if (trimmed.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return trimmed.substring(7).strip();
        }
        return trimmed.isEmpty() ? null : trimmed;
    }

    /**
     * The base URL clients reach this API at: {@code KICKOFF_PUBLIC_URL} if set, else the request's Host and
     * scheme (API Gateway sets {@code X-Forwarded-Proto}).
     */
    public String baseUrl(HttpRequest<?> request) {
        if (settings.publicUrl() != null) {
            return settings.publicUrl().replaceAll("/+$", "");
        }
        String host = request.getHeaders().get(HttpHeaders.HOST);
        if (host == null || host.isBlank() || !host.matches("[A-Za-z0-9.\\-:\\[\\]]{1,255}")) {
            host = "localhost";
        }
        String proto = request.getHeaders().get("X-Forwarded-Proto");
        if (!"http".equals(proto) && !"https".equals(proto)) {
            proto = host.startsWith("localhost") || host.startsWith("127.0.0.1") ? "http" : "https";
        }
        return proto + "://" + host;
    }
}
