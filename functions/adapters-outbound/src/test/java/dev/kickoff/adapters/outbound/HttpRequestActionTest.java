package dev.kickoff.adapters.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.kickoff.core.action.ActionRequest;
import dev.kickoff.core.action.ActionResult;
import dev.kickoff.core.action.HttpRequestAction;
import dev.kickoff.core.connection.OpenedConnection;
import dev.kickoff.core.connection.Provider;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.OutboundHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSocketFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code http} action over the real SSRF-safe client, against a server on loopback (local mode): what goes
 * out (method, query, headers, JSON and form bodies, the idempotency key), what comes back (JSON parsed, text
 * kept, 1 MB limit), and how failures are classified for retries.
 */
class HttpRequestActionTest {
    static final Instant NOW = Instant.parse("2026-05-19T12:00:00Z");
    record Seen(String method, String uri, Map<String, List<String>> headers, String body) {
        String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().getFirst();
                }
            }
            return null;
        }
    }

    static HttpServer server;
    static String base;
    static final List<Seen> seen = new CopyOnWriteArrayList<>();
    static final AtomicInteger flaky = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/echo", e -> {
            String body = new String(e.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            seen.add(new Seen(e.getRequestMethod(), e.getRequestURI().toString(), Map.copyOf(e.getRequestHeaders()), body));
            byte[] out = Json.write(Json.parse("{\"ok\": true, \"n\": 12.50}")).getBytes(StandardCharsets.UTF_8);
            e.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            e.getResponseHeaders().add("X-Trace", "abc");
            if (e.getRequestMethod().equals("HEAD")) {
                e.sendResponseHeaders(200, -1);
            } else {
                e.sendResponseHeaders(200, out.length);
                e.getResponseBody().write(out);
            }
            e.close();
        });
        server.createContext("/text", e -> respond(e, 200, "text/plain", "plain words"));
        server.createContext("/status/", e -> {
            int status = Integer.parseInt(e.getRequestURI().getPath().substring("/status/".length()));
            String retryAfter = e.getRequestURI().getQuery();
            if (retryAfter != null) {
                e.getResponseHeaders().add("Retry-After", java.net.URLDecoder.decode(retryAfter.substring(3), StandardCharsets.UTF_8));
            }
            if (status / 100 == 3) {
                e.getResponseHeaders().add("Location", "http://169.254.169.254/latest/meta-data/");
            }
            respond(e, status, "application/json", "{\"error\": \"status " + status + "\"}");
        });
        server.createContext("/big", e -> {
            int size = Integer.parseInt(e.getRequestURI().getQuery().substring(2));
            e.getResponseHeaders().add("Content-Type", "text/plain");
            e.sendResponseHeaders(200, e.getRequestURI().getPath().endsWith("chunked") ? 0 : size);
            try (var out = e.getResponseBody()) {
                out.write("x".repeat(size).getBytes(StandardCharsets.US_ASCII));
            } catch (java.io.IOException ignored) {
                // the client stops reading at its limit
            }
        });
        server.createContext("/slow", e -> {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            respond(e, 200, "text/plain", "late");
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    static void respond(com.sun.net.httpserver.HttpExchange e, int status, String type, String body) throws java.io.IOException {
        e.getRequestBody().readAllBytes();
        byte[] out = body.getBytes(StandardCharsets.UTF_8);
        e.getResponseHeaders().add("Content-Type", type);
        e.sendResponseHeaders(status, out.length);
        e.getResponseBody().write(out);
        e.close();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final HttpRequestAction LOCAL = new HttpRequestAction("http", new SafeHttpClient(true), CLOCK);

    static ActionResult run(HttpRequestAction action, String config) {
        return run(action, config, null);
    }

    static ActionResult run(HttpRequestAction action, String config, OpenedConnection connection) {
        return action.perform(new ActionRequest(Json.parse(config), connection, "123-call-api", Duration.ofSeconds(25), false));
    }

    static Seen last() {
        return seen.getLast();
    }

    @Test
    void jsonBodiesQueryHeadersAndTheIdempotencyKeyGoOutAndJsonComesBackParsed() {
        ActionResult r = run(LOCAL, """
                {"method": "post", "url": "%s/echo", "query": {"page": 2, "tag": ["a", "b c"]},
                 "headers": {"X-Custom": "yes"}, "body": {"total": 4317.84, "items": [1, 2]}}""".formatted(base));
        assertThat(r).isInstanceOf(ActionResult.Succeeded.class);
        JsonNode out = ((ActionResult.Succeeded) r).output();
        assertThat(out.get("status").asInt()).isEqualTo(200);
        assertThat(out.at("/body/ok").asBoolean()).isTrue();
        assertThat(out.at("/body/n").decimalValue()).isEqualByComparingTo("12.50");
        assertThat(out.at("/headers/x-trace").asText()).isEqualTo("abc");

        Seen s = last();
        assertThat(s.method()).isEqualTo("POST");
        assertThat(s.uri()).isEqualTo("/echo?page=2&tag=a&tag=b+c");
        assertThat(s.header("Idempotency-Key")).isEqualTo("123-call-api");
        assertThat(s.header("X-Custom")).isEqualTo("yes");
        assertThat(s.header("Content-Type")).isEqualTo("application/json");
        assertThat(Json.parse(s.body()).at("/total").decimalValue()).isEqualByComparingTo("4317.84");
        assertThat(r.recordedInput().at("/url").asText()).endsWith("/echo?page=2&tag=a&tag=b+c");
    }

    @Test
    void everyMethodAndAFormBody() {
        for (String method : List.of("GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")) {
            ActionResult r = run(LOCAL, "{\"method\": \"" + method + "\", \"url\": \"" + base + "/echo\"}");
            assertThat(r).as(method).isInstanceOf(ActionResult.Succeeded.class);
            assertThat(last().method()).isEqualTo(method);
        }
        ActionResult form = run(LOCAL, """
                {"method": "POST", "url": "%s/echo", "bodyType": "form",
                 "body": {"customer": "cus_1", "metadata": {"source": "api order"}, "n": 3}}""".formatted(base));
        assertThat(form).isInstanceOf(ActionResult.Succeeded.class);
        assertThat(last().header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(last().body()).isEqualTo("customer=cus_1&metadata%5Bsource%5D=api+order&n=3");

        // A form Content-Type given by the step chooses the encoding too; a string body is sent as text.
        run(LOCAL, """
                {"method": "POST", "url": "%s/echo", "headers": {"Content-Type": "application/x-www-form-urlencoded"},
                 "body": {"a": "b"}}""".formatted(base));
        assertThat(last().body()).isEqualTo("a=b");
        run(LOCAL, "{\"method\": \"POST\", \"url\": \"" + base + "/echo\", \"body\": \"hello\"}");
        assertThat(last().body()).isEqualTo("hello");
        assertThat(last().header("Content-Type")).startsWith("text/plain");
    }

    @Test
    void aTextAnswerStaysText() {
        ActionResult r = run(LOCAL, "{\"url\": \"" + base + "/text\"}");
        assertThat(((ActionResult.Succeeded) r).output().get("body").asText()).isEqualTo("plain words");
    }

    @Test
    void answersOverOneMegabyteFailNamingTheLimitAndAtTheLimitPass() {
        int limit = 1024 * 1024;
        ActionResult exact = run(LOCAL, "{\"url\": \"" + base + "/big?n=" + limit + "\"}");
        assertThat(exact).isInstanceOf(ActionResult.Succeeded.class);
        assertThat(((ActionResult.Succeeded) exact).output().get("body").asText()).hasSize(limit);

        for (String path : List.of("/big", "/big/chunked")) {
            ActionResult over = run(LOCAL, "{\"url\": \"" + base + path + "?n=" + (limit + 1) + "\"}");
            assertThat(over).as(path).isInstanceOf(ActionResult.Failed.class);
            ActionResult.Failed f = (ActionResult.Failed) over;
            assertThat(f.retryable()).isFalse();
            assertThat(f.code()).isEqualTo("response_too_large");
            assertThat(f.message()).contains("1 MB limit");
        }
    }

    @Test
    void timeoutsAreRetryableAndBoundedByTheTimeLeft() {
        ActionResult r = run(LOCAL, "{\"url\": \"" + base + "/slow\", \"timeout\": \"300ms\"}");
        ActionResult.Failed f = (ActionResult.Failed) r;
        assertThat(f.retryable()).isTrue();
        assertThat(f.code()).isEqualTo("timeout");
        assertThat(r.recordedInput().get("timeout_ms").asLong()).isEqualTo(300);

        ActionResult capped = LOCAL.perform(new ActionRequest(Json.parse("{\"url\": \"" + base + "/slow\", \"timeout\": 30}"),
                null, "k", Duration.ofMillis(200), false));
        assertThat(capped.recordedInput().get("timeout_ms").asLong()).as("never more than the invocation has left").isEqualTo(200);
        assertThat(((ActionResult.Failed) capped).code()).isEqualTo("timeout");

        ActionResult none = LOCAL.perform(new ActionRequest(Json.parse("{\"url\": \"" + base + "/echo\"}"), null, "k",
                Duration.ZERO, false));
        assertThat(((ActionResult.Failed) none).retryable()).isTrue();
    }

    @Test
    void status429HonoursRetryAfterInSecondsAndAsAnHttpDate() {
        ActionResult.Failed seconds = (ActionResult.Failed) run(LOCAL, "{\"url\": \"" + base + "/status/429?ra=7\"}");
        assertThat(seconds.retryable()).isTrue();
        assertThat(seconds.code()).isEqualTo("http_429");
        assertThat(seconds.retryAfter()).isEqualTo(Duration.ofSeconds(7));

        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(NOW.plusSeconds(90), ZoneOffset.UTC));
        ActionResult.Failed dated = (ActionResult.Failed) run(LOCAL, "{\"url\": \"" + base + "/status/429?ra="
                + java.net.URLEncoder.encode(date, StandardCharsets.UTF_8) + "\"}");
        assertThat(dated.retryAfter()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void fiveHundredsRetryFourHundredsFailAndContinueOnErrorKeepsTheAnswer() {
        for (int status : List.of(500, 502, 503)) {
            ActionResult.Failed f = (ActionResult.Failed) run(LOCAL, "{\"url\": \"" + base + "/status/" + status + "\"}");
            assertThat(f.retryable()).as("" + status).isTrue();
        }
        for (int status : List.of(400, 401, 404, 422)) {
            ActionResult.Failed f = (ActionResult.Failed) run(LOCAL, "{\"url\": \"" + base + "/status/" + status + "\"}");
            assertThat(f.retryable()).as("" + status).isFalse();
            assertThat(f.code()).isEqualTo("http_" + status);
            assertThat(f.message()).contains("HTTP " + status).contains("status " + status);
        }
        ActionResult kept = run(LOCAL, "{\"url\": \"" + base + "/status/404\", \"continueOnError\": true}");
        assertThat(kept).isInstanceOf(ActionResult.Succeeded.class);
        assertThat(((ActionResult.Succeeded) kept).output().get("status").asInt()).isEqualTo(404);
        assertThat(((ActionResult.Succeeded) kept).output().at("/body/error").asText()).isEqualTo("status 404");
    }

    @Test
    void redirectsAreNotFollowed() {
        ActionResult.Failed f = (ActionResult.Failed) run(LOCAL, "{\"url\": \"" + base + "/status/302\"}");
        assertThat(f.retryable()).isFalse();
        assertThat(f.message()).contains("redirects are not followed").contains("169.254.169.254");
    }

    @Test
    void outsideLocalModePrivateMetadataAndLoopbackTargetsAreRefusedBeforeConnecting() {
        int before = seen.size();
        AtomicInteger calls = new AtomicInteger();
        HttpRequestAction aws = new HttpRequestAction("http", new SafeHttpClient(false, host -> {
            calls.incrementAndGet();
            return switch (host) {
                case "internal.example.com" -> new InetAddress[]{InetAddress.getByName("10.0.0.7")};
                case "metadata.example.com" -> new InetAddress[]{InetAddress.getByName("169.254.169.254")};
                case "home.example.com" -> new InetAddress[]{InetAddress.getByName("127.0.0.1")};
                default -> throw new UnknownHostException(host);
            };
        }, (SSLSocketFactory) SSLSocketFactory.getDefault()), CLOCK);
        for (String url : List.of(base + "/echo", "https://127.0.0.1/", "https://169.254.169.254/latest/meta-data/",
                "https://10.1.2.3/", "https://[::1]/", "https://internal.example.com/", "https://metadata.example.com/",
                "https://home.example.com/", "https://localhost/")) {
            ActionResult.Failed f = (ActionResult.Failed) run(aws, "{\"url\": \"" + url + "\"}");
            assertThat(f.code()).as(url).isEqualTo("refused");
            assertThat(f.retryable()).as(url).isFalse();
        }
        assertThat(seen).as("nothing reached the loopback server").hasSize(before);
        ActionResult.Failed f = (ActionResult.Failed) run(aws, "{\"url\": \"https://metadata.example.com/\"}");
        assertThat(f.message()).contains("link-local");
    }

    @Test
    void theAddressCheckedIsTheAddressConnectedTo() {
        // DNS rebinding: the first answer is checked and used; a later, different answer is never asked for.
        AtomicInteger calls = new AtomicInteger();
        int port = server.getAddress().getPort();
        HttpRequestAction pinned = new HttpRequestAction("http", new SafeHttpClient(true, host -> {
            int n = calls.incrementAndGet();
            return new InetAddress[]{InetAddress.getByName(n == 1 ? "127.0.0.1" : "10.0.0.1")};
        }, (SSLSocketFactory) SSLSocketFactory.getDefault()), CLOCK);
        ActionResult r = run(pinned, "{\"url\": \"http://localhost:" + port + "/echo\"}");
        assertThat(r).isInstanceOf(ActionResult.Succeeded.class);
        assertThat(calls.get()).isEqualTo(1);
        assertThat(last().header("Host")).isEqualTo("localhost:" + port);
    }

    @Test
    void aConnectionsHeadersCarryItsSecretsOnlyUnderItsBaseUrlAndAreRecordedAsStars() {
        OpenedConnection api = Fixtures.connection(Provider.HTTP, """
                {"baseUrl": "%s/echo", "headers": {"Authorization": "Bearer {{secrets.token}}", "X-Plain": "p"}}"""
                .formatted(base), Map.of("token", "tok_s3cr3t_value"));
        ActionResult r = run(LOCAL, "{\"url\": \"/orders\", \"method\": \"POST\", \"body\": {\"a\": 1}}", api);
        assertThat(r).isInstanceOf(ActionResult.Succeeded.class);
        assertThat(last().uri()).isEqualTo("/echo/orders");
        assertThat(last().header("Authorization")).isEqualTo("Bearer tok_s3cr3t_value");
        assertThat(r.recordedInput().at("/headers/Authorization").asText()).isEqualTo("***");
        assertThat(r.recordedInput().at("/headers/X-Plain").asText()).isEqualTo("p");
        assertThat(Json.write(r.recordedInput())).doesNotContain("tok_s3cr3t_value");

        int before = seen.size();
        ActionResult.Failed outside = (ActionResult.Failed) run(LOCAL, "{\"url\": \"" + base + "/text\"}", api);
        assertThat(outside.message()).contains("outside connection");
        ActionResult.Failed climbing = (ActionResult.Failed) run(LOCAL, "{\"url\": \"../text\"}", api);
        assertThat(climbing.retryable()).isFalse();
        assertThat(seen).hasSize(before);
    }

    @Test
    void theClientAloneClassifiesWhatTheNetworkDoes() {
        SafeHttpClient client = new SafeHttpClient(true);
        // A port nothing listens on: a connection error, retryable.
        int closed;
        try (var s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        OutboundHttp.Result refused = client.send(new OutboundHttp.Request("GET", "http://127.0.0.1:" + closed + "/",
                Map.of(), null, Duration.ofSeconds(2), 1024, false));
        assertThat(refused).isInstanceOfSatisfying(OutboundHttp.Failure.class, f -> {
            assertThat(f.kind()).isEqualTo(OutboundHttp.Failure.Kind.CONNECT);
            assertThat(f.retryable()).isTrue();
        });
        OutboundHttp.Result injected = client.send(new OutboundHttp.Request("GET", base + "/echo",
                Map.of("X-Evil", "a\r\nHost: other"), null, Duration.ofSeconds(2), 1024, false));
        assertThat(injected).isInstanceOfSatisfying(OutboundHttp.Failure.class,
                f -> assertThat(f.kind()).isEqualTo(OutboundHttp.Failure.Kind.REFUSED));
    }
}
