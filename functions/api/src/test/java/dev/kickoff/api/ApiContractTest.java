package dev.kickoff.api;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.json.Json;
import io.micronaut.web.router.Router;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * docs/openapi.yaml against the controllers: every route Micronaut serves is documented and every documented
 * operation is served (the drift check `./kickoff test` runs), every documented error has a schema, and the
 * document is served as it is checked in. The answers themselves are checked in every API test
 * ({@link ApiContract}); the requests here add the refusals no other test makes.
 */
class ApiContractTest {
    static ApiStack stack;
    static ApiStack.Org org;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("api-contract");
        org = stack.newOrg();
    }

    @Test
    void everyControllerRouteIsDocumentedAndEveryDocumentedOperationIsARoute() {
        try (ApiHandler handler = new ApiHandler(stack.environment)) {
            // Micronaut answers HEAD for every GET by itself; the document lists the GETs.
            Set<String> routes = handler.getApplicationContext().getBean(Router.class).uriRoutes()
                    .filter(r -> !r.getHttpMethodName().equals("HEAD"))
                    .map(r -> r.getHttpMethodName() + " " + r.getUriMatchTemplate().toString())
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> documented = new TreeSet<>(ApiContract.get().operations());
            assertThat(routes).as("routes the controllers serve").isNotEmpty();
            assertThat(documented).as("docs/openapi.yaml's operations").containsExactlyInAnyOrderElementsOf(routes);
        }
    }

    /**
     * micronaut-openapi generates a skeleton from the controllers at compile time (target/classes/META-INF/swagger):
     * it knows the paths, methods and path parameters, not the bodies (the controllers answer Kickoff's own JSON as
     * strings; the caller and the body are bound by Kickoff's binders, which it takes for query and body fields).
     * The checked-in document must agree with it on what it does know.
     */
    @Test
    void theGeneratedSkeletonAgreesOnPathsMethodsAndPathParameters() throws Exception {
        Path dir = Path.of("target/classes/META-INF/swagger");
        Path generated;
        try (var files = Files.list(dir)) {
            generated = files.filter(f -> f.toString().endsWith(".yml")).findFirst().orElseThrow();
        }
        JsonNode skeleton = Json.mapper().valueToTree(new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(generated)));
        JsonNode documented = ApiContract.get().document.get("paths");
        Set<String> generatedOps = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        skeleton.get("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            String key = op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
            generatedOps.add(key);
            JsonNode mine = documented.path(path.getKey()).path(op.getKey());
            if (!pathParameters(op.getValue()).equals(pathParameters(mine))) {
                problems.add(key + ": generated " + pathParameters(op.getValue()) + ", documented " + pathParameters(mine));
            }
        }));
        assertThat(ApiContract.get().operations()).containsExactlyInAnyOrderElementsOf(generatedOps);
        assertThat(problems).isEmpty();
    }

    private static Set<String> pathParameters(JsonNode operation) {
        Set<String> names = new TreeSet<>();
        operation.path("parameters").forEach(p -> {
            if ("path".equals(p.path("in").asText())) {
                names.add(p.get("name").asText());
            }
        });
        return names;
    }

    @Test
    void everyDocumentedResponseHasAnExistingSchemaAndEveryErrorIsInItsShape() {
        JsonNode doc = ApiContract.get().document;
        List<String> problems = new ArrayList<>();
        doc.get("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            op.getValue().get("responses").properties().forEach(r -> {
                JsonNode response = r.getValue();
                String ref = response.path("$ref").asText("");
                int status = Integer.parseInt(r.getKey());
                if (status >= 400) {
                    String expected = ApiContract.get().errorSchemaFor(path.getKey());
                    JsonNode resolved = doc.at(ref.substring(1));
                    String schema = resolved.at("/content/application~1json/schema/$ref").asText("");
                    if (!schema.equals(expected)) {
                        problems.add(op.getKey() + " " + path.getKey() + " " + status + ": " + schema);
                    }
                }
            });
        }));
        doc.get("components").get("responses").properties().forEach(r -> {
            String schema = r.getValue().at("/content/application~1json/schema/$ref").asText("");
            if (schema.isEmpty() || doc.at(schema.substring(1)).isMissingNode()) {
                problems.add("components/responses/" + r.getKey() + " has no schema");
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void theDocumentIsServedWithoutAToken() throws Exception {
        var served = stack.http.send("GET", "/openapi.yaml", (byte[]) null);
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.header("Content-Type")).startsWith("application/yaml");
        assertThat(served.body()).isEqualTo(Files.readString(ApiContract.DOCUMENT));
    }

    @Test
    void theContractCheckFailsAnUndocumentedStatusAndABodyOutOfShape() {
        ApiContract contract = ApiContract.get();
        var teapot = new APIGatewayV2HTTPResponse();
        teapot.setStatusCode(418);
        teapot.setBody("{}");
        assertThatThrownBy(() -> contract.check("GET", "/api/v1/runs/run_1", teapot))
                .hasMessageContaining("418 is not documented");
        var wrongShape = new APIGatewayV2HTTPResponse();
        wrongShape.setStatusCode(404);
        wrongShape.setBody("{\"error\":\"run not found\",\"code\":\"run_not_found\"}");
        assertThatThrownBy(() -> contract.check("GET", "/api/v1/runs/run_1", wrongShape))
                .as("a canonical error where seed 003's belongs").hasMessageContaining("V1Error");
        assertThat(ApiContract.CHECKED).as("answers checked so far").isNotEmpty();
    }

    /** Refusals of every shape that the other API tests do not make; each answer is checked by the contract. */
    @Test
    void refusalsOfEveryShapeMatchTheirSchemas() {
        String[] triggers = {"/api/external/v1/workflows/1/runs", "/api/v1/workflows/wf_1/run",
                "/api/v1/workspaces/1/workflows/1/trigger", "/workflows/1/run", "/api/external/v1/workflows/1/cases",
                "/api/manage/v1/workflows"};
        for (String path : triggers) {
            String token = path.startsWith("/api/manage") ? org.manageToken() : org.apiToken();
            assertThat(stack.http.send("POST", path, "<a/>", "Authorization", "Bearer " + token,
                    "Content-Type", "application/xml").status()).as(path).isEqualTo(415);
            assertThat(stack.http.send("POST", path, "{}").status()).as(path).isEqualTo(401);
            assertThat(stack.http.send("POST", path, "{\"a\":", "Authorization", "Bearer " + token).status())
                    .as(path).isIn(400, 422);
            assertThat(stack.http.send("PATCH", path, "{}", "Authorization", "Bearer " + token).status())
                    .as(path).isEqualTo(404);
        }
    }
}
