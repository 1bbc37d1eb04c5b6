package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * docs/openapi.yaml as the suite reads it: the list of operations (every route the API documents, so a route added
 * there joins the fuzz and tenancy matrices by itself) and the check every answer is held to: its status documented
 * for its operation, its body valid against that status's schema, in the error shape of the path's API.
 */
final class Contract {
    /** One documented operation. */
    record Operation(String method, String template, Pattern pattern, List<String> pathParams, String scope,
                     boolean executeLimited, boolean isPublic, JsonNode requestBody, JsonNode node, int literalChars) {
        String key() {
            return method + " " + template;
        }

        boolean documents(int status) {
            return node.path("responses").has(Integer.toString(status));
        }

        /** The shape whose errors this path answers in: canonical, v1, workspace or minimal. */
        String shape() {
            return shapeOf(template);
        }

        @Override
        public String toString() {
            return key();
        }
    }

    /** The verdict on one answer. {@code kind}: documented, gateway (API Gateway's own refusal), no-route. */
    record Verdict(boolean ok, String kind, String problem) {
    }

    private static final Pattern PARAM = Pattern.compile("\\{([^/}]+)}");

    final JsonNode document;
    private final List<Operation> operations;
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false)));
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    Contract(JsonNode document) {
        this.document = document;
        List<Operation> all = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
            String template = path.getKey();
            List<String> params = new ArrayList<>();
            var m = PARAM.matcher(template);
            while (m.find()) {
                params.add(m.group(1));
            }
            String regex = PARAM.splitAsStream(template).map(Pattern::quote).reduce((a, b) -> a + "[^/]+" + b).orElse("");
            if (template.endsWith("}")) {
                regex += "[^/]+";
            }
            Pattern pattern = Pattern.compile(regex);
            path.getValue().properties().forEach(op -> {
                String method = op.getKey().toUpperCase(Locale.ROOT);
                if (!List.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
                    return;
                }
                JsonNode node = op.getValue();
                JsonNode security = node.get("security");
                boolean isPublic = security != null && security.isArray() && security.isEmpty();
                JsonNode body = node.path("requestBody").path("content").path("application/json").path("schema");
                all.add(new Operation(method, template, pattern, List.copyOf(params),
                        node.path("x-kickoff-scope").asText(null), node.path("x-kickoff-execute-limited").asBoolean(false),
                        isPublic, body.isMissingNode() ? null : resolve(body), node,
                        template.replaceAll("\\{[^/}]+}", "").length()));
            });
        }
        all.sort(Comparator.comparingInt(Operation::literalChars).reversed());
        this.operations = List.copyOf(all);
    }

    static Contract load(Path root) throws IOException {
        Path file = root.resolve("docs/openapi.yaml");
        Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file, StandardCharsets.UTF_8));
        return new Contract(Json.MAPPER.valueToTree(tree));
    }

    List<Operation> operations() {
        return operations;
    }

    /** The operation a request reaches, or null (the query string is ignored). */
    Operation match(String method, String rawPath) {
        String path = rawPath.contains("?") ? rawPath.substring(0, rawPath.indexOf('?')) : rawPath;
        for (Operation op : operations) {
            if (op.method().equals(method) && op.pattern().matcher(path).matches()) {
                return op;
            }
        }
        return null;
    }

    JsonNode resolve(JsonNode node) {
        while (node != null && node.has("$ref")) {
            node = document.at(node.get("$ref").asText().substring(1));
        }
        return node;
    }

    static String shapeOf(String path) {
        if (path.startsWith("/api/v1/workspaces/")) {
            return "workspace";
        }
        if (path.startsWith("/api/v1/")) {
            return "v1";
        }
        if (path.startsWith("/workflows/")) {
            return "minimal";
        }
        return "canonical";
    }

    static String errorSchemaOf(String path) {
        return switch (shapeOf(path)) {
            case "workspace" -> "#/components/schemas/WorkspaceError";
            case "v1" -> "#/components/schemas/V1Error";
            case "minimal" -> "#/components/schemas/MinimalError";
            default -> "#/components/schemas/CanonicalError";
        };
    }

    /**
     * Holds one answer to the contract. An answer API Gateway gives itself, before the function (README, "Limits":
     * {@code {"message": "Bad Request"}} 400, 413, 431), is documented there, not in this document, and is accepted
     * as such. A path no operation matches must be a 404 (or 400) in the error shape of its path's API.
     */
    Verdict check(String method, String rawPath, int status, String contentType, String body) {
        String what = method + " " + rawPath + " -> " + status;
        if (status < 100) {
            return new Verdict(false, "none", "no answer: " + what);
        }
        if (method.equals("HEAD")) {
            // HTTP: a HEAD is its GET without the body; what matters is that the status is the GET's.
            String path = rawPath.contains("?") ? rawPath.substring(0, rawPath.indexOf('?')) : rawPath;
            Operation get = match("GET", path);
            if (status == 413 || status == 431) {
                // API Gateway's own size refusals (README, "Limits") come before any route: a HEAD gets them bodiless.
                return new Verdict(true, "gateway", null);
            }
            boolean ok = get == null ? status == 404 || status == 400 : get.documents(status);
            return new Verdict(ok, get == null ? "no-route" : "documented", ok ? null
                    : "status " + status + " is not documented for " + (get == null ? "a path without a GET" : get.key())
                    + ": " + what);
        }
        JsonNode json = Json.read(body);
        if (List.of(400, 413, 431).contains(status) && json.isObject() && json.size() == 1 && json.path("message").isTextual()) {
            return new Verdict(true, "gateway", null);
        }
        String path = rawPath.contains("?") ? rawPath.substring(0, rawPath.indexOf('?')) : rawPath;
        Operation op = match(method, path);
        if (op == null) {
            if (status != 404 && status != 400) {
                return new Verdict(false, "no-route", "no documented operation answers " + status + ": " + what);
            }
            String problem = validate(errorSchemaOf(path), json, body);
            return new Verdict(problem == null, "no-route", problem == null ? null : what + ": " + problem);
        }
        JsonNode documented = op.node().path("responses").get(Integer.toString(status));
        if (documented == null) {
            return new Verdict(false, "documented", "status " + status + " is not documented for " + op.key() + ": "
                    + what + " " + excerpt(body));
        }
        documented = resolve(documented);
        JsonNode content = documented.get("content");
        if (content == null) {
            boolean empty = body == null || body.isEmpty();
            return new Verdict(empty, "documented", empty ? null : "documented without a body, answered " + what);
        }
        if (!content.has("application/json")) {
            return new Verdict(true, "documented", null);
        }
        if (contentType != null && !contentType.toLowerCase(Locale.ROOT).contains("json")) {
            return new Verdict(false, "documented", what + " has Content-Type " + contentType + ", not JSON");
        }
        JsonNode schema = content.get("application/json").get("schema");
        String ref = schema.has("$ref") ? schema.get("$ref").asText() : null;
        String problem = ref == null ? validateInline(schema, json, body) : validate(ref, json, body);
        return new Verdict(problem == null, "documented", problem == null ? null : what + ": " + problem);
    }

    private String validate(String ref, JsonNode instance, String body) {
        if (instance.isMissingNode()) {
            return "not JSON: " + excerpt(body);
        }
        Schema schema = schemas.computeIfAbsent(ref, r -> {
            ObjectNode root = document.deepCopy();
            root.put("$ref", r);
            return registry.getSchema(root);
        });
        var errors = schema.validate(instance);
        return errors.isEmpty() ? null : "does not match " + ref + ": " + errors.stream().limit(3).toList() + " in "
                + excerpt(body);
    }

    private String validateInline(JsonNode schemaNode, JsonNode instance, String body) {
        if (instance.isMissingNode()) {
            return "not JSON: " + excerpt(body);
        }
        ObjectNode root = document.deepCopy();
        root.setAll((ObjectNode) schemaNode);
        var errors = registry.getSchema(root).validate(instance);
        return errors.isEmpty() ? null : "does not match its schema: " + errors.stream().limit(3).toList();
    }

    static String excerpt(String body) {
        if (body == null) {
            return "(no body)";
        }
        return body.length() > 200 ? body.substring(0, 200) + "…" : body;
    }

    /** The operations by key, for reports. */
    Map<String, Operation> byKey() {
        Map<String, Operation> out = new LinkedHashMap<>();
        operations.forEach(o -> out.put(o.key(), o));
        return out;
    }
}
