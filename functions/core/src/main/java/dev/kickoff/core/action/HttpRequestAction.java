package dev.kickoff.core.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.connection.ConnectionRules;
import dev.kickoff.core.connection.OpenedConnection;
import dev.kickoff.core.connection.Provider;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.OutboundHttp;
import dev.kickoff.core.template.Template;
import dev.kickoff.core.template.Templates;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;

/**
 * {@code http.request} (and the {@code http} step): one request, {@code config.method} (default GET),
 * {@code url}, {@code query}, {@code headers}, {@code body} (JSON by default; form-encoded when
 * {@code bodyType} is {@code "form"} or the Content-Type says so; a string is sent as text), {@code timeout}
 * (seconds, default 10, never more than the invocation has left). Output {@code {status, headers, body}}, the
 * body parsed when the answer is JSON; at most 1 MB. Every request carries {@code Idempotency-Key}.
 *
 * <p>With an HTTP connection (named by the step or the run, or the default one when the URL is relative), the URL
 * is resolved against its {@code baseUrl} and must stay under it, and its headers are added with their
 * {@code {{secrets.<name>}}} filled in: a connection's credentials go to its own API and nowhere else.
 *
 * <p>Retryable: connection errors, timeouts, 429 (with its Retry-After) and 5xx. Anything else that is not 2xx
 * fails the step, unless {@code continueOnError}: then 3xx and 4xx answers are the output.
 */
public final class HttpRequestAction implements Action {
    static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
    static final Set<String> CONFIG_KEYS = Set.of("method", "url", "query", "headers", "body", "bodyType", "timeout",
            "continueOnError", "connection");
    /** Set by the client, or by this action: a step cannot choose them. */
    static final Set<String> RESERVED_HEADERS = Set.of("host", "content-length", "connection", "transfer-encoding",
            "idempotency-key", "te", "upgrade", "trailer", "expect");
    static final String USER_AGENT = "Kickoff/1.0";

    private final String name;
    private final OutboundHttp http;
    private final Clock clock;

    /** @param name {@code http.request}, or {@code http} for the step type of that name */
    public HttpRequestAction(String name, OutboundHttp http, Clock clock) {
        this.name = name;
        this.http = http;
        this.clock = clock;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Provider provider() {
        return Provider.HTTP;
    }

    @Override
    public boolean needsConnection(JsonNode config) {
        String url = HttpParts.text(config, "url");
        return url != null && !isAbsolute(url);
    }

    @Override
    public List<FieldError> validate(JsonNode config, String pointer) {
        List<FieldError> problems = new ArrayList<>();
        if (!ConfigKeys.check(config, pointer, CONFIG_KEYS, "http", problems)) {
            return problems;
        }
        JsonNode url = config.get("url");
        if (url == null || !url.isTextual() || url.textValue().isBlank()) {
            problems.add(new FieldError(pointer + "/url", "url is required"));
        }
        JsonNode method = config.get("method");
        if (literal(method) && !METHODS.contains(method.textValue().toUpperCase(Locale.ROOT))) {
            problems.add(new FieldError(pointer + "/method", "method must be one of "
                    + String.join(", ", new java.util.TreeSet<>(METHODS))));
        }
        JsonNode headers = config.get("headers");
        if (headers != null && !headers.isObject() && !templated(headers)) {
            problems.add(new FieldError(pointer + "/headers", "headers must be an object of names to strings"));
        } else if (headers != null && headers.isObject()) {
            headers.fieldNames().forEachRemaining(h -> {
                if (RESERVED_HEADERS.contains(h.toLowerCase(Locale.ROOT))) {
                    problems.add(new FieldError(pointer + "/headers/" + Templates.escape(h), h + " is set by Kickoff"));
                }
            });
        }
        JsonNode query = config.get("query");
        if (query != null && !query.isObject() && !templated(query)) {
            problems.add(new FieldError(pointer + "/query", "query must be an object of names to values"));
        }
        JsonNode bodyType = config.get("bodyType");
        if (literal(bodyType) && !Set.of("json", "form", "text").contains(bodyType.textValue())) {
            problems.add(new FieldError(pointer + "/bodyType", "bodyType must be json, form or text"));
        }
        JsonNode timeout = config.get("timeout");
        if (timeout != null && !templated(timeout)) {
            Duration d = HttpParts.parseTimeout(timeout);
            if (d == null || d.isNegative() || d.isZero()) {
                problems.add(new FieldError(pointer + "/timeout", "timeout must be a positive number of seconds (or \"500ms\", \"5s\")"));
            }
        }
        return problems;
    }

    @Override
    public ActionResult perform(ActionRequest request) {
        JsonNode config = request.config() == null ? Json.object() : request.config();
        ObjectNode recorded = Json.object();
        try {
            return send(config, request, recorded);
        } catch (ActionFailure f) {
            return f.result(recorded);
        }
    }

    private ActionResult send(JsonNode config, ActionRequest request, ObjectNode recorded) {
        String method = HttpParts.text(config, "method");
        method = method == null ? "GET" : method.strip().toUpperCase(Locale.ROOT);
        recorded.put("method", method);
        if (!METHODS.contains(method)) {
            throw ActionFailure.permanent("invalid_config", "method must be one of " + String.join(", ", new java.util.TreeSet<>(METHODS)));
        }
        String url = url(HttpParts.text(config, "url"), request.connection());
        url = withQuery(url, config.get("query"));
        recorded.put("url", url);

        // Connection headers first (secrets filled in, recorded as ***), then the step's own, then ours.
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Map<String, String> shown = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("User-Agent", USER_AGENT);
        shown.put("User-Agent", USER_AGENT);
        if (request.connection() != null) {
            JsonNode connectionHeaders = request.connection().connection().config().get("headers");
            if (connectionHeaders != null && connectionHeaders.isObject()) {
                connectionHeaders.fields().forEachRemaining(h -> {
                    String template = h.getValue().asText();
                    headers.put(h.getKey(), fillSecrets(template, request.connection()));
                    shown.put(h.getKey(), ConnectionRules.SECRET_REFERENCE.matcher(template).find() ? Redaction.MASK : template);
                });
            }
        }
        JsonNode stepHeaders = config.get("headers");
        if (stepHeaders != null && !stepHeaders.isNull()) {
            if (!stepHeaders.isObject()) {
                throw ActionFailure.permanent("invalid_config", "headers must be an object of names to strings");
            }
            stepHeaders.fields().forEachRemaining(h -> {
                String value = HttpParts.scalar(h.getValue());
                if (RESERVED_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                    throw ActionFailure.permanent("invalid_config", "header " + h.getKey() + " is set by Kickoff");
                }
                if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || h.getKey().isBlank()
                        || !h.getKey().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                    throw ActionFailure.permanent("invalid_config", "header " + h.getKey() + " is not a valid header");
                }
                headers.put(h.getKey(), value);
                shown.put(h.getKey(), value);
            });
        }
        headers.put("Idempotency-Key", request.idempotencyKey());
        shown.put("Idempotency-Key", request.idempotencyKey());

        byte[] body = body(config, headers, shown, recorded);
        ObjectNode shownHeaders = recorded.putObject("headers");
        shown.forEach(shownHeaders::put);
        Duration timeout = HttpParts.timeout(config.get("timeout"), request.timeLeft());
        recorded.put("timeout_ms", timeout.toMillis());

        OutboundHttp.Result result = http.send(new OutboundHttp.Request(method, url, new LinkedHashMap<>(headers), body,
                timeout, HttpParts.MAX_RESPONSE_BYTES, false));
        OutboundHttp.Response response = switch (result) {
            case OutboundHttp.Failure f -> throw HttpParts.failure(f);
            case OutboundHttp.Response r -> r;
        };
        int status = response.status();
        boolean continueOnError = request.continueOnError() || config.path("continueOnError").asBoolean(false);
        if (status >= 200 && status < 300) {
            return new ActionResult.Succeeded(HttpParts.output(response), recorded);
        }
        if (status == 429 || status >= 500) {
            throw ActionFailure.retryable("http_" + status, "HTTP " + status + describe(response),
                    HttpParts.retryAfter(response.header("retry-after"), clock));
        }
        if (continueOnError) {
            return new ActionResult.Succeeded(HttpParts.output(response), recorded);
        }
        if (status >= 300 && status < 400) {
            String location = response.header("location");
            throw ActionFailure.permanent("http_" + status, "HTTP " + status + ": redirects are not followed"
                    + (location == null ? "" : " (to " + shorten(location, 200) + ")"));
        }
        throw ActionFailure.permanent("http_" + status, "HTTP " + status + describe(response));
    }

    /** The URL as sent: absolute as given, or under the connection's {@code baseUrl} (and never outside it). */
    static String url(String url, OpenedConnection connection) {
        if (url == null || url.isBlank()) {
            throw ActionFailure.permanent("invalid_config", "url is required");
        }
        url = url.strip();
        String base = connection == null ? null : HttpParts.text(connection.connection().config(), "baseUrl");
        if (base == null) {
            if (!isAbsolute(url)) {
                throw ActionFailure.permanent("invalid_config", "url must be absolute (https://…), or relative to an"
                        + " HTTP connection's baseUrl");
            }
            return url;
        }
        String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        if (!isAbsolute(url)) {
            String path = url.startsWith("/") ? url.substring(1) : url;
            if (("/" + path.split("[?#]", 2)[0] + "/").contains("/../")) {
                throw ActionFailure.permanent("invalid_config", "url must not climb out of the connection's baseUrl (..)");
            }
            return root + "/" + path;
        }
        URI target = URI.create(url).normalize();
        URI under = URI.create(root + "/");
        boolean same = target.getScheme() != null && target.getScheme().equalsIgnoreCase(under.getScheme())
                && target.getRawAuthority() != null && target.getRawAuthority().equalsIgnoreCase(under.getRawAuthority())
                && (target.getRawPath() + "/").startsWith(under.getRawPath());
        if (!same || url.contains("/../") || url.endsWith("/..")) {
            throw ActionFailure.permanent("invalid_config", "url is outside connection " + connection.connection().id()
                    + "'s baseUrl (" + base + "); its credentials are only sent there");
        }
        return url;
    }

    static boolean isAbsolute(String url) {
        return url.regionMatches(true, 0, "https://", 0, 8) || url.regionMatches(true, 0, "http://", 0, 7);
    }

    static String withQuery(String url, JsonNode query) {
        if (query == null || query.isNull() || (query.isObject() && query.isEmpty())) {
            return url;
        }
        if (!query.isObject()) {
            throw ActionFailure.permanent("invalid_config", "query must be an object of names to values");
        }
        StringBuilder sb = new StringBuilder();
        query.fields().forEachRemaining(f -> {
            List<JsonNode> values = new ArrayList<>();
            if (f.getValue().isArray()) {
                f.getValue().forEach(values::add);
            } else {
                values.add(f.getValue());
            }
            for (JsonNode v : values) {
                if (v.isNull()) {
                    continue;
                }
                if (v.isContainerNode()) {
                    throw ActionFailure.permanent("invalid_config", "query." + f.getKey() + " must be a scalar or an array of scalars");
                }
                sb.append(sb.isEmpty() ? "" : "&").append(URLEncoder.encode(f.getKey(), StandardCharsets.UTF_8))
                        .append('=').append(URLEncoder.encode(HttpParts.scalar(v), StandardCharsets.UTF_8));
            }
        });
        if (sb.isEmpty()) {
            return url;
        }
        int hash = url.indexOf('#');
        String base = hash >= 0 ? url.substring(0, hash) : url;
        return base + (base.contains("?") ? "&" : "?") + sb;
    }

    private static byte[] body(JsonNode config, Map<String, String> headers, Map<String, String> shown, ObjectNode recorded) {
        JsonNode body = config.get("body");
        if (body == null || body.isNull() || body.isMissingNode()) {
            return null;
        }
        String contentType = headers.get("Content-Type");
        String bodyType = HttpParts.text(config, "bodyType");
        if (bodyType == null) {
            bodyType = contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")
                    ? "form" : body.isTextual() ? "text" : "json";
        }
        recorded.put("bodyType", bodyType);
        recorded.set("body", body);
        String text;
        switch (bodyType) {
            case "form" -> {
                if (!body.isObject()) {
                    throw ActionFailure.permanent("invalid_config", "a form body must be an object");
                }
                text = HttpParts.encode(HttpParts.flatten(body));
                contentType = contentType != null ? contentType : "application/x-www-form-urlencoded";
            }
            case "text" -> {
                text = HttpParts.scalar(body);
                contentType = contentType != null ? contentType : "text/plain; charset=utf-8";
            }
            case "json" -> {
                text = Json.write(body);
                contentType = contentType != null ? contentType : "application/json";
            }
            default -> throw ActionFailure.permanent("invalid_config", "bodyType must be json, form or text");
        }
        headers.put("Content-Type", contentType);
        shown.put("Content-Type", contentType);
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String fillSecrets(String template, OpenedConnection connection) {
        Matcher m = ConnectionRules.SECRET_REFERENCE.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = connection.secret(m.group(1));
            if (value == null) {
                throw ActionFailure.permanent("invalid_connection", "connection " + connection.connection().id()
                        + " has no secret " + m.group(1));
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String describe(OutboundHttp.Response r) {
        String excerpt = HttpParts.excerpt(r.body(), 200);
        return excerpt.isEmpty() ? "" : ": " + excerpt;
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    private static boolean literal(JsonNode node) {
        return node != null && node.isTextual() && !Template.isTemplated(node.textValue());
    }

    private static boolean templated(JsonNode node) {
        return node.isTextual() && Template.isTemplated(node.textValue());
    }
}
