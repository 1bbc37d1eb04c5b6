package dev.kickoff.api;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.kickoff.core.json.Json;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The API contract (docs/openapi.yaml) as the tests hold the API to it. {@link ApiStack} wraps its handler with
 * {@link #checking}, so every answer of every API test is checked as it is made: its status must be documented
 * for its operation, and its body must match that status's schema. A mismatch fails the test that made it.
 */
final class ApiContract {
    static final Path DOCUMENT = Path.of("../../docs/openapi.yaml");
    private static final ApiContract INSTANCE = load();
    /** Answers checked so far, by "METHOD /path/template status". */
    static final Map<String, AtomicInteger> CHECKED = new ConcurrentHashMap<>();

    /** Reads answers whatever their numbers (Kickoff's own parser refuses some on input, never on output). */
    private static final ObjectMapper NUMBERS_AS_SENT = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    final JsonNode document;
    private final List<Route> routes;
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false)));
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    record Route(String method, String template, Pattern pattern, int literalChars) {
    }

    private ApiContract(JsonNode document) {
        this.document = document;
        List<Route> all = new ArrayList<>();
        document.get("paths").properties().forEach(path -> path.getValue().fieldNames().forEachRemaining(method -> {
            String template = path.getKey();
            String regex = Pattern.compile("\\{[^/}]+}").splitAsStream(template).map(Pattern::quote)
                    .reduce((a, b) -> a + "[^/]+" + b).orElse("");
            if (template.endsWith("}")) {
                regex += "[^/]+";
            }
            // Micronaut's router matches a path with or without one trailing slash (/app and /app/); so does this.
            regex += "/?";
            all.add(new Route(method.toUpperCase(Locale.ROOT), template, Pattern.compile(regex),
                    template.replaceAll("\\{[^/}]+}", "").length()));
        }));
        all.sort(Comparator.comparingInt(Route::literalChars).reversed());
        this.routes = List.copyOf(all);
    }

    static ApiContract get() {
        return INSTANCE;
    }

    private static ApiContract load() {
        try {
            String text = Files.readString(DOCUMENT, StandardCharsets.UTF_8);
            Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
            return new ApiContract(Json.mapper().valueToTree(tree));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DOCUMENT.toAbsolutePath(), e);
        }
    }

    static RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> checking(
            RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler) {
        return (APIGatewayV2HTTPEvent event, Context context) -> {
            APIGatewayV2HTTPResponse response = handler.handleRequest(event, context);
            INSTANCE.check(event.getRequestContext().getHttp().getMethod(), event.getRawPath(), response);
            return response;
        };
    }

    /** The documented operations as "METHOD template". */
    Set<String> operations() {
        return routes.stream().map(r -> r.method() + " " + r.template()).collect(java.util.stream.Collectors.toSet());
    }

    void check(String method, String path, APIGatewayV2HTTPResponse response) {
        int status = response.getStatusCode();
        String body = response.getBody();
        if (body != null && response.getIsBase64Encoded()) {
            body = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        }
        Route route = routes.stream().filter(r -> r.pattern().matcher(path).matches() && r.method().equals(method))
                .findFirst().orElse(null);
        String what = method + " " + path + " -> " + status + " " + body;
        if (route == null) {
            // Not an endpoint: a 404 (or, for a junk header, a 400) in the error shape of the path's API.
            if (status != 404 && status != 400) {
                throw new AssertionError("contract: no documented operation for " + what);
            }
            validate(errorSchemaFor(path), body, what);
            CHECKED.computeIfAbsent("(no route) " + status, k -> new AtomicInteger()).incrementAndGet();
            return;
        }
        JsonNode operation = document.get("paths").get(route.template()).get(route.method().toLowerCase(Locale.ROOT));
        JsonNode documented = operation.get("responses").get(Integer.toString(status));
        if (documented == null) {
            throw new AssertionError("contract: status " + status + " is not documented for " + route.method() + " "
                    + route.template() + ": " + what);
        }
        documented = resolve(documented);
        JsonNode content = documented.get("content");
        if (content == null) {
            if (body != null && !body.isEmpty()) {
                throw new AssertionError("contract: documented without a body, answered " + what);
            }
        } else if (content.has("application/json")) {
            validate(content.get("application/json").get("schema").get("$ref").asText(), body, what);
        }
        CHECKED.computeIfAbsent(route.method() + " " + route.template() + " " + status, k -> new AtomicInteger())
                .incrementAndGet();
    }

    private JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            node = document.at(node.get("$ref").asText().substring(1));
        }
        return node;
    }

    /** The error schema of the shape a path belongs to (the longest documented prefix wins). */
    String errorSchemaFor(String path) {
        if (path.startsWith("/api/v1/workspaces/")) {
            return "#/components/schemas/WorkspaceError";
        }
        if (path.startsWith("/api/v1/")) {
            return "#/components/schemas/V1Error";
        }
        if (path.startsWith("/workflows/")) {
            return "#/components/schemas/MinimalError";
        }
        return "#/components/schemas/CanonicalError";
    }

    void validate(String schemaRef, String body, String what) {
        JsonNode instance;
        try {
            instance = NUMBERS_AS_SENT.readTree(body == null ? "" : body);
        } catch (IOException e) {
            throw new AssertionError("contract: not JSON: " + what);
        }
        if (instance == null || instance.isMissingNode()) {
            throw new AssertionError("contract: no body where " + schemaRef + " is documented: " + what);
        }
        Schema schema = schemas.computeIfAbsent(schemaRef, ref -> {
            ObjectNode root = document.deepCopy();
            root.put("$ref", ref);
            return registry.getSchema(root);
        });
        var errors = schema.validate(instance);
        if (!errors.isEmpty()) {
            throw new AssertionError("contract: " + what + " does not match " + schemaRef + ": " + errors);
        }
    }
}
