package dev.kickoff.api;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.StackResources;
import dev.kickoff.emulators.testing.LambdaHttp;
import dev.kickoff.emulators.testing.TestAws;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API function as deployed: its template environment resolved against freshly provisioned emulator
 * resources, invoked through API Gateway-shaped events. Every answer is checked against the API contract
 * (docs/openapi.yaml) as it is made ({@link ApiContract}).
 */
final class ApiStack {
    final StackResources resources;
    final Map<String, String> environment;
    final LambdaHttp http;
    /** The contract-checked handler behind {@link #http}, for events {@link LambdaHttp} cannot make. */
    final RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler;
    final CompositionRoot runtime;

    record Org(long id, String manageToken, String apiToken) {
    }

    private ApiStack(String purpose) {
        this.resources = TestAws.get().provision(purpose);
        this.environment = withLocalSecrets(FunctionSpec.of("ApiFunction", resources).environment());
        this.handler = ApiContract.checking(new ApiHandler(environment));
        this.http = new LambdaHttp(handler, "api.kickoff.test");
        this.runtime = new CompositionRoot(Settings.fromEnvironment(environment));
    }

    /**
     * As the local stack does: connection secrets sealed under a key file (in a fresh temporary directory) instead of
     * the template's KMS key, which the emulators do not serve.
     */
    private static Map<String, String> withLocalSecrets(Map<String, String> template) {
        Map<String, String> env = new java.util.HashMap<>(template);
        try {
            java.nio.file.Path keyFile = java.nio.file.Files.createTempDirectory("kickoff-api-secrets").resolve("secrets.key");
            dev.kickoff.adapters.outbound.KeyFileSecretBox.createIfAbsent(keyFile);
            env.put("KICKOFF_SECRETS_KEY_FILE", keyFile.toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        env.put("KICKOFF_SECRETS_KMS_KEY_ID", "");
        return Map.copyOf(env);
    }

    static ApiStack start(String purpose) {
        return new ApiStack(purpose);
    }

    /** A new organization, bootstrapped as the admin command does, with an API token made through the API. */
    Org newOrg() {
        var boot = runtime.organizations().create("org-" + System.nanoTime());
        String manage = boot.manageToken().secret();
        var created = http.post("/api/manage/v1/tokens", manage, "{\"name\":\"ci\",\"scope\":\"api\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return new Org(boot.organization().id(), manage, created.json().get("secret").asText());
    }

    long createWorkflow(Org org, String definition) {
        var created = http.post("/api/manage/v1/workflows", org.manageToken(), definition);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("workflow").get("id").asLong();
    }

    long publishedWorkflow(Org org, String definition) {
        long id = createWorkflow(org, definition);
        var published = http.post("/api/manage/v1/workflows/" + id + "/publish", org.manageToken(), null);
        assertThat(published.status()).as(published.toString()).isEqualTo(200);
        return id;
    }

    /** Bodies of the messages now on the runs queue (received and deleted). */
    List<JsonNode> drainRunsQueue() {
        List<JsonNode> bodies = new ArrayList<>();
        var sqs = runtime.sqs();
        String url = resources.queue("RunsQueue").url();
        while (true) {
            List<Message> batch = sqs.receiveMessage(ReceiveMessageRequest.builder().queueUrl(url)
                    .maxNumberOfMessages(10).waitTimeSeconds(0).build()).messages();
            if (batch.isEmpty()) {
                return bodies;
            }
            for (Message m : batch) {
                bodies.add(Json.parse(m.body()));
                sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(m.receiptHandle()));
            }
        }
    }

    static final String ORDER_WORKFLOW = """
            {"name": "Process Customer Order", "description": "Create invoice and send confirmation",
             "trigger": {"type": "api"},
             "steps": [{"id": "calculate-total", "type": "transform", "name": "Calculate Order Total",
               "config": {"mapping": {
                 "subtotal": "{{input.items | map: 'quantity * price' | sum}}",
                 "tax": "{{input.items | map: 'quantity * price' | sum | times: 0.08}}",
                 "total": "{{input.items | map: 'quantity * price' | sum | times: 1.08}}"}}}]}
            """;

}
