package dev.kickoff.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.HttpApiEvents;
import dev.kickoff.emulators.LocalLambdaContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * What API Gateway's HTTP API does in front of the API function, on 127.0.0.1: each request becomes a payload
 * 2.0 event, the handler's response becomes the HTTP response. Bodies over API Gateway's 10 MB limit are
 * refused here, as they would be there.
 */
final class HttpGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpGateway.class);
    static final int MAX_BODY_BYTES = 10 * 1024 * 1024;

    private final HttpServer server;

    HttpGateway(int port, FunctionSpec function, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange) {
                serve(exchange, function, handler);
            } catch (RuntimeException | IOException e) {
                LOG.warn("request {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void serve(HttpExchange exchange, FunctionSpec function,
                              RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            write(exchange, 413, Map.of("Content-Type", "application/json"), "{\"message\":\"Request Entity Too Large\"}");
            return;
        }
        Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k, new ArrayList<>(v)));
        headers.putIfAbsent("X-Forwarded-Proto", List.of("http"));
        String source = exchange.getRemoteAddress().getAddress().getHostAddress();
        APIGatewayV2HTTPEvent event = HttpApiEvents.request(exchange.getRequestMethod(),
                exchange.getRequestURI().getRawPath() + (exchange.getRequestURI().getRawQuery() == null ? ""
                        : "?" + exchange.getRequestURI().getRawQuery()), headers, body, source);
        APIGatewayV2HTTPResponse response;
        try {
            response = handler.handleRequest(event, new LocalLambdaContext(function));
        } catch (RuntimeException e) {
            LOG.error("the API function failed", e);
            write(exchange, 500, Map.of("Content-Type", "application/json"), "{\"message\":\"Internal Server Error\"}");
            return;
        }
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (response.getHeaders() != null) {
            out.putAll(response.getHeaders());
        }
        if (response.getMultiValueHeaders() != null) {
            response.getMultiValueHeaders().forEach((k, v) -> out.putIfAbsent(k, String.join(",", v)));
        }
        String text = response.getBody();
        byte[] bytes = text == null ? new byte[0] : response.getIsBase64Encoded()
                ? Base64.getDecoder().decode(text) : text.getBytes(StandardCharsets.UTF_8);
        write(exchange, response.getStatusCode(), out, bytes);
    }

    private static void write(HttpExchange exchange, int status, Map<String, String> headers, String body)
            throws IOException {
        write(exchange, status, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void write(HttpExchange exchange, int status, Map<String, String> headers, byte[] body)
            throws IOException {
        headers.forEach((k, v) -> {
            if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("transfer-encoding")) {
                exchange.getResponseHeaders().set(k, v);
            }
        });
        boolean empty = body.length == 0 || status == 204 || status == 304;
        exchange.sendResponseHeaders(status, empty ? -1 : body.length);
        if (!empty) {
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
