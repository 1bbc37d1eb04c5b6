package dev.kickoff.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.HttpApiEvents;
import dev.kickoff.emulators.LocalLambdaContext;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * What API Gateway's HTTP API does in front of the API function, on 127.0.0.1: each request becomes a payload
 * 2.0 event, the handler's response becomes the HTTP response. What API Gateway refuses before the function is
 * called is refused here too, with its plain JSON bodies ({@code {"message":"Bad Request"}}): bodies over its
 * 10 MB payload limit (413; a declared {@code Content-Length} over it before any of the body is read), a request
 * line and header values over its 10,240 bytes (431), and a path or query with a broken percent-encoding such as
 * {@code /api/%ZZ} (400). A refused header (a control byte in it) is answered from the head too, while a body may
 * still be arriving.
 *
 * <p>It runs on Jetty (which DynamoDB Local already brings) rather than the JDK's HttpServer, because the JDK
 * server answers a malformed request line itself with an HTML page, and closes the connection without an answer
 * when a request has more than 200 headers; Jetty hands both to this class or to its {@link JsonErrors}.
 */
final class HttpGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpGateway.class);
    static final int MAX_BODY_BYTES = 10 * 1024 * 1024;
    /** API Gateway HTTP API quota: "Total combined size of request line and header values: 10240 bytes". */
    static final int MAX_REQUEST_LINE_AND_HEADER_VALUES = 10_240;
    /** What Jetty reads of a request head before this class sees it; past it Jetty answers 431 (as JSON) itself. */
    static final int MAX_HEAD_BYTES = 64 * 1024;

    private static final Pattern BAD_ESCAPE = Pattern.compile("%(?![0-9A-Fa-f]{2})");

    private final Server server;
    private final ServerConnector connector;

    HttpGateway(int port, FunctionSpec function, RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler)
            throws IOException {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("http-gateway");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server = new Server(threads);
        HttpConfiguration config = new HttpConfiguration();
        config.setRequestHeaderSize(MAX_HEAD_BYTES);
        config.setSendServerVersion(false);
        config.setSendXPoweredBy(false);
        connector = new ServerConnector(server, new HttpConnectionFactory(config));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setErrorHandler(new JsonErrors());
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                try {
                    serve(request, response, callback, function, handler);
                } catch (RuntimeException | IOException e) {
                    LOG.warn("request {} {} failed: {}", request.getMethod(), request.getHttpURI().getPath(), e.toString());
                    callback.failed(e);
                }
                return true;
            }
        });
        try {
            server.start();
        } catch (Exception e) {
            throw new IOException("the local API gateway did not start on port " + port + ": " + e.getMessage(), e);
        }
    }

    int port() {
        return connector.getLocalPort();
    }

    private static void serve(Request request, Response response, Callback callback, FunctionSpec function,
                              RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler) throws IOException {
        String path = request.getHttpURI().getPath();
        String query = request.getHttpURI().getQuery();
        if (path == null || path.isEmpty() || BAD_ESCAPE.matcher(path).find()
                || (query != null && BAD_ESCAPE.matcher(query).find())) {
            refuse(response, callback, HttpStatus.BAD_REQUEST_400);
            return;
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        long size = request.getMethod().length() + 1 + path.length() + (query == null ? 0 : query.length() + 1)
                + 1 + request.getConnectionMetaData().getProtocol().length();
        for (HttpField field : request.getHeaders()) {
            headers.computeIfAbsent(field.getName(), k -> new ArrayList<>()).add(field.getValue());
            size += field.getValue() == null ? 0 : field.getValue().length();
        }
        if (size > MAX_REQUEST_LINE_AND_HEADER_VALUES) {
            refuse(response, callback, HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431);
            return;
        }
        if (request.getLength() > MAX_BODY_BYTES) {
            // Refused from the head, as API Gateway does: the body is neither read nor waited for (a client still
            // sending it hears the answer; the connection closes after it).
            refuse(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413);
            return;
        }
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            refuse(response, callback, HttpStatus.PAYLOAD_TOO_LARGE_413);
            return;
        }
        headers.putIfAbsent("X-Forwarded-Proto", List.of("http"));
        APIGatewayV2HTTPEvent event;
        try {
            event = HttpApiEvents.request(request.getMethod(), path + (query == null ? "" : "?" + query), headers, body,
                    Request.getRemoteAddr(request));
        } catch (IllegalArgumentException e) {
            refuse(response, callback, HttpStatus.BAD_REQUEST_400);
            return;
        }
        APIGatewayV2HTTPResponse answer;
        try {
            answer = handler.handleRequest(event, new LocalLambdaContext(function));
        } catch (RuntimeException e) {
            LOG.error("the API function failed", e);
            refuse(response, callback, HttpStatus.INTERNAL_SERVER_ERROR_500);
            return;
        }
        Map<String, String> out = new LinkedHashMap<>();
        if (answer.getHeaders() != null) {
            out.putAll(answer.getHeaders());
        }
        if (answer.getMultiValueHeaders() != null) {
            answer.getMultiValueHeaders().forEach((k, v) -> out.putIfAbsent(k, String.join(",", v)));
        }
        String text = answer.getBody();
        byte[] bytes = text == null ? new byte[0] : answer.getIsBase64Encoded()
                ? Base64.getDecoder().decode(text) : text.getBytes(StandardCharsets.UTF_8);
        response.setStatus(answer.getStatusCode());
        out.forEach((k, v) -> {
            if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("transfer-encoding")) {
                response.getHeaders().put(k, v);
            }
        });
        boolean empty = bytes.length == 0 || answer.getStatusCode() == 204 || answer.getStatusCode() == 304;
        response.write(true, empty ? null : ByteBuffer.wrap(bytes), callback);
    }

    /** API Gateway's own refusals: a status and {@code {"message": "<reason phrase>"}}. */
    private static void refuse(Response response, Callback callback, int status) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, ByteBuffer.wrap(JsonErrors.body(status)), callback);
    }

    /**
     * Jetty's own refusals (an unparseable request line or URI, a head over {@link #MAX_HEAD_BYTES}, a bad header)
     * in API Gateway's words instead of Jetty's HTML page.
     */
    static final class JsonErrors extends ErrorHandler {
        static byte[] body(int status) {
            String reason = switch (status) {
                case HttpStatus.BAD_REQUEST_400 -> "Bad Request";
                case HttpStatus.NOT_FOUND_404 -> "Not Found";
                case HttpStatus.PAYLOAD_TOO_LARGE_413 -> "Request Entity Too Large";
                case HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431 -> "Request Header Fields Too Large";
                case HttpStatus.INTERNAL_SERVER_ERROR_500 -> "Internal Server Error";
                default -> HttpStatus.getMessage(status);
            };
            return ("{\"message\":\"" + reason.replace("\"", "'") + "\"}").getBytes(StandardCharsets.UTF_8);
        }

        /**
         * Every method gets the JSON body: Jetty's default writes an error page for GET, POST and HEAD only, so a
         * DELETE or PUT that Jetty refuses (a control byte in a header value) was a 400 with no body at all.
         */
        @Override
        public boolean errorPageForMethod(String method) {
            return true;
        }

        @Override
        protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                        Callback callback) {
            if (code == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) {
                // A request line without a version (a raw line break in the path makes "GET /a" an HTTP/0.9 line) is
                // malformed input, a 400 as API Gateway answers it; a 5xx would invite a retry (found by the fuzzer).
                code = HttpStatus.BAD_REQUEST_400;
                response.setStatus(code);
            }
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(body(code)), callback);
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json");
            return ByteBuffer.wrap(body(status));
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("the local API gateway did not stop cleanly: {}", e.toString());
        }
    }
}
