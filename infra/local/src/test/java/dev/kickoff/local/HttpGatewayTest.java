package dev.kickoff.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.kickoff.emulators.FunctionSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The local gateway over real HTTP, byte for byte on a socket (an HTTP client library would refuse to send most
 * of these requests): what API Gateway refuses before the function runs is refused as JSON, never an HTML page
 * or a closed connection; everything else reaches the function as a payload 2.0 event.
 */
class HttpGatewayTest {
    static final FunctionSpec FUNCTION = new FunctionSpec("ApiFunction", "test.Handler", "handleRequest", ".", 10, 1024,
            Map.of(), List.of());
    static final AtomicReference<APIGatewayV2HTTPEvent> LAST = new AtomicReference<>();
    static HttpGateway gateway;

    @BeforeAll
    static void start() throws IOException {
        gateway = new HttpGateway(0, FUNCTION, (event, context) -> {
            LAST.set(event);
            if (event.getRawPath().equals("/boom")) {
                throw new IllegalStateException("the function failed");
            }
            APIGatewayV2HTTPResponse response = new APIGatewayV2HTTPResponse();
            response.setStatusCode(201);
            response.setHeaders(Map.of("Content-Type", "application/json", "X-Seen", event.getRawPath()));
            response.setBody("{\"ok\":true,\"headers\":" + event.getHeaders().size() + "}");
            return response;
        });
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @BeforeEach
    void forget() {
        LAST.set(null);
    }

    record Answer(int status, Map<String, String> headers, String body) {
    }

    /** Sends {@code head} (CRLFs included) and {@code body} as they are, and reads one response. */
    static Answer exchange(String head, byte[] body) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                try {
                    out.write(body);
                } catch (IOException refusedEarly) {
                    // the gateway may answer and close before reading all of an oversized body
                }
            }
            out.flush();
            return read(socket.getInputStream());
        }
    }

    /**
     * Sends {@code head}, then streams {@code body} from another thread while this one reads the answer, as a client
     * that reads while it sends: a server that answers and stops reading the body is heard, not cut off by our write.
     */
    static Answer exchangeWhileSending(String head, byte[] body) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < body.length; i += 8192) {
                        out.write(body, i, Math.min(8192, body.length - i));
                    }
                    out.flush();
                } catch (IOException refused) {
                    // the gateway answered and closed before the whole body arrived
                }
            });
            try {
                return read(socket.getInputStream());
            } finally {
                socket.close();
                sender.join(10_000);
            }
        }
    }

    static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            assertThat(b).as("the connection was closed without a complete answer: " + headBytes).isNotNegative();
            headBytes.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
            }
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        return new Answer(status, headers, new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }

    static Answer get(String target, String extraHeaders) throws IOException {
        return exchange("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extraHeaders + "Connection: close\r\n\r\n", null);
    }

    static void assertGatewayRefusal(Answer answer, int status, String message) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
        assertThat(answer.headers().get("content-type")).startsWith("application/json");
        assertThat(answer.body()).isEqualTo("{\"message\":\"" + message + "\"}");
        assertThat(LAST.get()).as("the function was not called").isNull();
    }

    @Test
    void aRequestReachesTheFunctionAsAPayload2EventAndItsAnswerComesBack() throws IOException {
        byte[] body = "{\"input\":{\"a\":1}}".getBytes(StandardCharsets.UTF_8);
        Answer answer = exchange("POST /api/runs?x=%41&y=2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\nX-Twice: 1\r\nX-Twice: 2\r\nConnection: close\r\n\r\n", body);
        assertThat(answer.status()).isEqualTo(201);
        assertThat(answer.headers().get("x-seen")).isEqualTo("/api/runs");
        assertThat(answer.body()).startsWith("{\"ok\":true");
        APIGatewayV2HTTPEvent event = LAST.get();
        assertThat(event.getRawPath()).isEqualTo("/api/runs");
        assertThat(event.getRawQueryString()).isEqualTo("x=%41&y=2");
        assertThat(event.getQueryStringParameters()).containsEntry("x", "A");
        assertThat(event.getHeaders()).containsEntry("x-twice", "1,2").containsEntry("content-type", "application/json");
        assertThat(event.getBody()).isEqualTo("{\"input\":{\"a\":1}}");
        assertThat(event.getRequestContext().getHttp().getSourceIp()).isEqualTo("127.0.0.1");
    }

    /** The JDK server answered this with an HTML page before any code of ours ran. */
    @Test
    void aBrokenPercentEncodingIsAJson400() throws IOException {
        assertGatewayRefusal(get("/api/%ZZ", ""), 400, "Bad Request");
        assertGatewayRefusal(get("/api/x%", ""), 400, "Bad Request");
        assertGatewayRefusal(get("/api/x?q=%G1", ""), 400, "Bad Request");
    }

    @Test
    void aMalformedRequestLineIsAJson400() throws IOException {
        assertGatewayRefusal(exchange("GARBAGE\r\n\r\n", null), 400, "Bad Request");
        assertGatewayRefusal(exchange("GET /a b c HTTP/1.1\r\nHost: localhost\r\n\r\n", null), 400, "Bad Request");
    }

    /**
     * Jetty refuses a header value with a control byte itself; its default error handler wrote a body for GET, POST
     * and HEAD only, so every other method got a 400 with an empty body (found by the reliability suite's fuzzer).
     */
    @Test
    void aControlByteInAHeaderIsAJson400WhateverTheMethod() throws IOException {
        for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
            for (String control : List.of("\u0008", "\u007f", "\u0014")) {
                Answer answer = exchange(method + " /api/manage/v1/tokens/1 HTTP/1.1\r\nHost: localhost\r\nX-Junk: a" + control
                        + "b\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", null);
                assertGatewayRefusal(answer, 400, "Bad Request");
            }
        }
    }

    /**
     * A raw line break inside the path ends the request line early, without a version: Jetty answered 505 "HTTP Version
     * Not Supported", a 5xx for bad input (found by the reliability suite's fuzzer). API Gateway answers 400.
     */
    @Test
    void aLineBreakInThePathIsAJson400NotA505() throws IOException {
        for (String method : List.of("GET", "POST", "DELETE")) {
            Answer answer = exchange(method + " /app/asset\nas/x/app.css HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n", null);
            assertGatewayRefusal(answer, 400, "Bad Request");
        }
    }

    /** The JDK server closed the connection without an answer past 200 headers. */
    @Test
    void manyHeadersWithinApiGatewaysSizeReachTheFunction() throws IOException {
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < 250; i++) {
            headers.append("X-H").append(i).append(": ").append(i).append("\r\n");
        }
        Answer answer = get("/many", headers.toString());
        assertThat(answer.status()).as(answer.toString()).isEqualTo(201);
        assertThat(LAST.get().getHeaders()).hasSizeGreaterThan(250);
    }

    @Test
    void headersOverApiGatewaysLimitAreAJson431() throws IOException {
        StringBuilder headers = new StringBuilder();
        for (int i = 0; i < 250; i++) {
            headers.append("X-H").append(i).append(": ").append("v".repeat(50)).append("\r\n");
        }
        assertGatewayRefusal(get("/many", headers.toString()), 431, "Request Header Fields Too Large");
        // One value alone, and a head so large that Jetty refuses it before this class sees it.
        assertGatewayRefusal(get("/one", "Cookie: " + "c".repeat(HttpGateway.MAX_REQUEST_LINE_AND_HEADER_VALUES) + "\r\n"),
                431, "Request Header Fields Too Large");
        assertGatewayRefusal(get("/huge", "Cookie: " + "c".repeat(HttpGateway.MAX_HEAD_BYTES + 10) + "\r\n"),
                431, "Request Header Fields Too Large");
    }

    @Test
    void aBodyOverTenMegabytesIsAJson413() throws IOException {
        byte[] body = new byte[HttpGateway.MAX_BODY_BYTES + 1];
        Answer answer = exchange("POST /big HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n", body);
        assertGatewayRefusal(answer, 413, "Request Entity Too Large");
    }

    /**
     * A GET with a 600 KB body and a control byte in User-Agent got no answer (found by the reliability suite's fuzzer
     * with seed 427674): Jetty refused the header, closed while the body was still streaming, and the client's write
     * failed before it read anything. The refusal comes before the body is read, and a client that reads while it
     * sends hears it.
     */
    @Test
    void aBadHeaderOnALargeBodyIsAnsweredWhileTheBodyStreams() throws Exception {
        byte[] body = ("{\"a\":\"" + "x".repeat(600_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        for (String method : List.of("GET", "POST", "DELETE")) {
            Answer answer = exchangeWhileSending(method + " /api/manage/v1/usage HTTP/1.1\r\nHost: localhost\r\nUser-Agent: a\u0016b\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n", body);
            assertGatewayRefusal(answer, 400, "Bad Request");
        }
    }

    /** A declared length over the limit is refused from the head alone: the body is never read, nor waited for. */
    @Test
    void aDeclaredLengthOverTenMegabytesIsA413BeforeTheBody() throws Exception {
        Answer answer = exchange("POST /big HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + (HttpGateway.MAX_BODY_BYTES + 1)
                + "\r\nConnection: close\r\n\r\n", "{".getBytes(StandardCharsets.UTF_8));
        assertGatewayRefusal(answer, 413, "Request Entity Too Large");
        answer = exchangeWhileSending("PUT /big HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + (HttpGateway.MAX_BODY_BYTES + 1)
                + "\r\nConnection: close\r\n\r\n", new byte[HttpGateway.MAX_BODY_BYTES + 1]);
        assertGatewayRefusal(answer, 413, "Request Entity Too Large");
    }

    /** A large body the gateway accepts reaches the function whole, though the client is reading meanwhile. */
    @Test
    void aLargeBodyWithGoodHeadersReachesTheFunction() throws Exception {
        byte[] body = ("{\"a\":\"" + "x".repeat(600_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        Answer answer = exchangeWhileSending("GET /large HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n", body);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(201);
        assertThat(LAST.get().getBody()).hasSize(body.length);
    }

    @Test
    void aFunctionThatThrowsIsAJson500() throws IOException {
        Answer answer = get("/boom", "");
        assertThat(answer.status()).isEqualTo(500);
        assertThat(answer.body()).isEqualTo("{\"message\":\"Internal Server Error\"}");
    }
}
