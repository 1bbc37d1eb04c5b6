package dev.kickoff.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.json.Json;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.LocalLambdaContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * What {@code aws lambda invoke} reaches on AWS, for the functions nothing triggers (the admin function): Lambda's
 * Invoke API path, {@code POST /2015-03-31/functions/<logical ID>/invocations}, with the payload as the body and the
 * handler's answer as the response. A handler that throws answers 200 with {@code X-Amz-Function-Error: Unhandled}
 * and {@code {"errorMessage", "errorType"}}, as Lambda does.
 * <p>
 * It listens on 127.0.0.1 on a port of its own (the API port stays the API's alone) and, because any local user can
 * reach loopback, answers only requests that carry the secret it writes, with its address, to
 * {@code <data dir>/invoke-endpoint.json} (mode 0600). {@code ./kickoff admin} reads that file. The file also says
 * where the stack's emulated services listen ({@code services}: DynamoDB Local, ElasticMQ, the table and queue names),
 * so a tool such as the AWS CLI or the reliability suite can inspect the stack's data while it runs.
 */
final class InvokeEndpoint implements AutoCloseable {
    static final String FILE = "invoke-endpoint.json";
    static final String PATH_PREFIX = "/2015-03-31/functions/";
    /** Lambda's limit on a synchronous invocation's payload. */
    static final int MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(InvokeEndpoint.class);

    record Function(FunctionSpec spec, RequestHandler<Map<String, Object>, Object> handler) {
    }

    private final HttpServer server;
    private final Map<String, Function> functions;
    private final String secret;
    private final Path file;
    private final Map<String, Object> services;

    InvokeEndpoint(Map<String, Function> functions, Path dataDir, int apiPort) throws IOException {
        this(functions, dataDir, apiPort, Map.of());
    }

    /** @param services where the stack's emulated AWS services are, written to the file as {@code services} */
    InvokeEndpoint(Map<String, Function> functions, Path dataDir, int apiPort, Map<String, Object> services)
            throws IOException {
        this.services = Map.copyOf(services);
        this.functions = Map.copyOf(functions);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        this.secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext(PATH_PREFIX, exchange -> {
            try (exchange) {
                serve(exchange);
            } catch (RuntimeException | IOException e) {
                LOG.warn("invocation {} failed: {}", exchange.getRequestURI(), e.toString());
            }
        });
        server.start();
        this.file = dataDir.resolve(FILE);
        try {
            writeFile(apiPort);
        } catch (RuntimeException e) {
            server.stop(0);
            throw e;
        }
    }

    java.util.Set<String> functions() {
        return functions.keySet();
    }

    String url(String function) {
        return baseUrl() + PATH_PREFIX + function + "/invocations";
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
            respond(exchange, 401, Map.of(), error("UnrecognizedClientException",
                    "missing or wrong secret: send Authorization: Bearer <secret of " + FILE + ">"));
            return;
        }
        String name = path.startsWith(PATH_PREFIX) && path.endsWith("/invocations")
                ? path.substring(PATH_PREFIX.length(), path.length() - "/invocations".length()) : null;
        Function function = name == null ? null : functions.get(name);
        if (function == null) {
            respond(exchange, 404, Map.of(), error("ResourceNotFoundException", "Function not found: " + name
                    + " (invocable here: " + String.join(", ", functions.keySet()) + ")"));
            return;
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            respond(exchange, 405, Map.of(), error("MethodNotAllowed", "use POST"));
            return;
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_PAYLOAD_BYTES + 1);
        }
        if (body.length > MAX_PAYLOAD_BYTES) {
            respond(exchange, 413, Map.of(), error("RequestTooLargeException", "payload over 6 MB"));
            return;
        }
        JsonNode payload;
        try {
            payload = Json.parse(body.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : body);
        } catch (KickoffException e) {
            respond(exchange, 400, Map.of(), error("InvalidRequestContentException",
                    "Could not parse request body into json: " + e.getMessage()));
            return;
        }
        if (!payload.isObject()) {
            // Lambda hands the bytes to the function, whose runtime cannot make a Map of them: a function error.
            respond(exchange, 200, Map.of("X-Amz-Function-Error", "Unhandled"), functionError("IllegalArgumentException",
                    "the payload must be a JSON object, not " + payload.getNodeType().name().toLowerCase()));
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> input = Json.mapper().convertValue(payload, Map.class);
        Object answer;
        try {
            answer = function.handler().handleRequest(input, new LocalLambdaContext(function.spec()));
        } catch (RuntimeException e) {
            LOG.error("{} failed", name, e);
            respond(exchange, 200, Map.of("X-Amz-Function-Error", "Unhandled"),
                    functionError(e.getClass().getSimpleName(), String.valueOf(e.getMessage())));
            return;
        }
        respond(exchange, 200, Map.of(), Json.writeBytes(answer));
    }

    /** Compares in constant time: the secret must not leak a character at a time through response times. */
    private boolean authorized(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(header.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8),
                secret.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] error(String type, String message) {
        ObjectNode node = Json.object();
        node.put("Type", "User");
        node.put("__type", type);
        node.put("message", message);
        return Json.writeBytes(node);
    }

    private static byte[] functionError(String type, String message) {
        ObjectNode node = Json.object();
        node.put("errorMessage", message);
        node.put("errorType", type);
        return Json.writeBytes(node);
    }

    private static void respond(HttpExchange exchange, int status, Map<String, String> headers, byte[] body)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(body);
        }
    }

    /** Written to a private temporary file and moved into place, so no reader ever sees it half written or open. */
    private void writeFile(int apiPort) {
        Map<String, Object> urls = new LinkedHashMap<>();
        functions.keySet().stream().sorted().forEach(f -> urls.put(f, url(f)));
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("api_port", apiPort);
        content.put("pid", ProcessHandle.current().pid());
        content.put("secret", secret);
        content.put("functions", urls);
        if (!services.isEmpty()) {
            content.put("services", services);
        }
        try {
            Path tmp;
            try {
                tmp = Files.createTempFile(file.getParent(), ".invoke-endpoint", ".tmp", PosixFilePermissions
                        .asFileAttribute(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
            } catch (UnsupportedOperationException e) {
                tmp = Files.createTempFile(file.getParent(), ".invoke-endpoint", ".tmp");
            }
            Files.write(tmp, Json.writeBytes(content));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Stops serving and removes the file, unless another stack on the same data dir has since replaced it. */
    @Override
    public void close() {
        server.stop(0);
        try {
            if (Files.isRegularFile(file) && secret.equals(Json.read(Files.readString(file)).path("secret").asText())) {
                Files.deleteIfExists(file);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("while removing {}: {}", file, e.toString());
        }
    }

    @Override
    public String toString() {
        return "InvokeEndpoint[" + baseUrl() + ", secret=<redacted>]";
    }
}
