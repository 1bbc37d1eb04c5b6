package dev.kickoff.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.api.ApiHandler;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunRequest;
import dev.kickoff.core.webhook.Subscription;
import dev.kickoff.emulators.DynamoDbStreamEventSource;
import dev.kickoff.emulators.EventSource;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.SqsEventSource;
import dev.kickoff.emulators.StackResources;
import dev.kickoff.emulators.testing.LambdaHttp;
import dev.kickoff.emulators.testing.TestAws;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import dev.kickoff.streams.StreamsHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Webhooks end to end, as deployed: the API function creates subscriptions; runs finish (real MODIFYs of run
 * items) or cases are written per the case contract; the streams function reads DynamoDB Local's stream
 * through the template's filter; the delivery function takes the queue on ElasticMQ and POSTs to a real HTTP
 * receiver on loopback, which verifies every signature with the Standard Webhooks library. Retry delays are
 * shortened through the function's environment (1 s instead of minutes and hours); nothing else is faked.
 */
class WebhooksEndToEndTest {
    static final String PUBLIC_URL = "https://api.kickoff.test";
    static StackResources resources;
    static CompositionRoot runtime;
    static LambdaHttp api;
    static Receiver receiver;
    static DynamoDbStreamEventSource stream;
    static SqsEventSource deliveries;
    static Map<String, String> streamsEnvironment;
    static FunctionSpec streamsSpec;

    record Org(long id, String manageToken, String apiToken) {
    }

    record Hook(long id, String secret) {
    }

    @BeforeAll
    static void setUp() throws Exception {
        resources = TestAws.get().provision("webhooks-e2e");
        Map<String, String> local = Map.of("KICKOFF_LOCAL", "true", "KICKOFF_METRICS", "off");

        Map<String, String> apiEnv = new HashMap<>(FunctionSpec.of("ApiFunction", resources).environment());
        apiEnv.putAll(local);
        api = new LambdaHttp(new ApiHandler(apiEnv), "api.kickoff.test");
        runtime = new CompositionRoot(Settings.fromEnvironment(apiEnv));

        streamsSpec = FunctionSpec.of("StreamsFunction", resources);
        streamsEnvironment = new HashMap<>(streamsSpec.environment());
        streamsEnvironment.putAll(local);
        streamsEnvironment.put("KICKOFF_PUBLIC_URL", PUBLIC_URL);
        stream = new DynamoDbStreamEventSource(TestAws.get().endpoints().streamsClient(), resources, streamsSpec,
                streamsSpec.events(EventSource.DynamoDbStream.class).getFirst(), new StreamsHandler(streamsEnvironment))
                .start();

        FunctionSpec deliverySpec = FunctionSpec.of("DeliveryFunction", resources);
        Map<String, String> deliveryEnv = new HashMap<>(deliverySpec.environment());
        deliveryEnv.putAll(local);
        deliveryEnv.put("KICKOFF_WEBHOOK_RETRY_SCHEDULE", "0s,1s,1s,1s,1s,1s,1s,1s");
        deliveryEnv.put("KICKOFF_WEBHOOK_DISABLE_AFTER", "4s");
        deliveries = new SqsEventSource(runtime.sqs(), resources, deliverySpec,
                deliverySpec.events(EventSource.Sqs.class).getFirst(), new DeliveryHandler(deliveryEnv)).start(4);
        receiver = new Receiver();
    }

    @AfterAll
    static void tearDown() {
        receiver.close();
        stream.close();
        deliveries.close();
    }

    // ---- helpers

    static Org newOrg() {
        var boot = runtime.organizations().create("org-" + System.nanoTime());
        String manage = boot.manageToken().secret();
        var token = api.post("/api/manage/v1/tokens", manage, "{\"name\":\"ci\",\"scope\":\"api\"}");
        return new Org(boot.organization().id(), manage, token.json().get("secret").asText());
    }

    static long publish(Org org, String definition) {
        var view = runtime.workflows().create(org.id(), Json.parse(definition));
        runtime.workflows().publish(org.id(), view.workflow().id(), null);
        return view.workflow().id();
    }

    static final String ORDER = """
            {"name": "order", "steps": [{"id": "total", "type": "transform", "config": {"mapping": {
              "total": "{{input.items | map: 'quantity * price' | sum}}"}}}]}""";
    static final String BROKEN = """
            {"name": "broken", "steps": [{"id": "boom", "type": "fail", "config": {"message": "out of stock"}}]}""";

    static Hook subscribe(Org org, String path, String events, Long workflowId) {
        String body = "{\"url\":\"" + receiver.url(path) + "\",\"events\":" + events
                + (workflowId == null ? "" : ",\"workflow_id\":" + workflowId) + "}";
        var created = api.post("/api/manage/v1/webhooks", org.manageToken(), body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return new Hook(created.json().get("webhook").get("id").asLong(), created.json().get("secret").asText());
    }

    /** Starts a run and executes it as the worker would: its finish is a real MODIFY on the stream. */
    static Run runToEnd(Org org, long workflow) {
        Run run = runtime.runs().start(new Principal(org.id(), 1, "tests", Scope.API), workflow,
                new RunRequest(Json.parse("{\"items\": [{\"quantity\": 2, \"price\": 1999}]}"), null)).run();
        runtime.executor().execute(run.id(), "test-worker");
        return runtime.runStore().find(run.id()).orElseThrow();
    }

    static JsonNode webhook(Org org, long id) {
        return api.get("/api/manage/v1/webhooks/" + id, org.manageToken()).json().get("webhook");
    }

    static JsonNode deliveryLog(Org org, long webhookId) {
        var response = api.get("/api/manage/v1/webhooks/" + webhookId + "/deliveries", org.manageToken());
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json().get("deliveries");
    }

    static JsonNode eventually(java.util.function.Supplier<JsonNode> read, Predicate<JsonNode> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = read.get();
            if (done.test(last)) {
                return last;
            }
            Receiver.sleep(50);
        }
        throw new AssertionError("condition not met in " + timeout + "; last: " + last);
    }

    // ---- tests

    @Test
    void aFinishedRunIsDeliveredOncePerMatchingSubscriptionSignedAndShapedLikeTheApi() {
        Org org = newOrg();
        Org other = newOrg();
        long wf = publish(org, ORDER);
        long otherWf = publish(org, ORDER);
        Hook all = subscribe(org, "/once/all", "[\"run.completed\",\"run.failed\"]", null);
        subscribe(org, "/once/other-workflow", "[\"run.completed\"]", otherWf);
        subscribe(org, "/once/failed-only", "[\"run.failed\"]", null);
        subscribe(other, "/once/other-org", "[\"run.completed\"]", null);

        Run run = runToEnd(org, wf);
        Receiver.Hit hit = receiver.await("/once/all", 1, Duration.ofSeconds(10)).getFirst();

        assertThat(hit.verifies(all.secret())).as("Standard Webhooks signature").isTrue();
        assertThat(hit.header("webhook-id")).startsWith("msg_");
        assertThat(Long.parseLong(hit.header("webhook-timestamp")))
                .isCloseTo(Instant.now().getEpochSecond(), within(30L));
        assertThat(hit.header("content-type")).isEqualTo("application/json");
        JsonNode payload = hit.json();
        assertThat(payload.fieldNames()).toIterable().containsExactly("id", "type", "created_at", "data");
        assertThat(payload.get("id").asText()).startsWith("evt_");
        assertThat(payload.get("type").asText()).isEqualTo("run.completed");
        var polled = api.get("/api/external/v1/workflows/" + wf + "/runs/" + run.id(), org.apiToken());
        // Both read with Kickoff's mapper: the run's usage.cost_cents is a decimal, which a plain ObjectMapper reads
        // as a double (the same JSON, an unequal node).
        assertThat(payload.get("data").get("workflow_run")).as("the same workflow_run the API answers")
                .isEqualTo(Json.parse(polled.body()).get("workflow_run"));
        assertThat(payload.get("data").get("workflow_run").get("output").toString()).isEqualTo("{\"total\":3998}");

        // Reading the whole stream again (a retried batch, a restarted poller) sends nothing twice.
        try (var again = new DynamoDbStreamEventSource(TestAws.get().endpoints().streamsClient(), resources,
                streamsSpec, streamsSpec.events(EventSource.DynamoDbStream.class).getFirst(),
                new StreamsHandler(streamsEnvironment))) {
            again.drain();
            assertThat(again.invocations()).isPositive();
        }
        Receiver.sleep(1500);
        assertThat(receiver.hits("/once/all")).hasSize(1);
        assertThat(receiver.hits("/once/other-workflow")).isEmpty();
        assertThat(receiver.hits("/once/failed-only")).isEmpty();
        assertThat(receiver.hits("/once/other-org")).isEmpty();

        JsonNode log = deliveryLog(org, all.id());
        assertThat(log).hasSize(1);
        JsonNode d = log.get(0);
        assertThat(d.get("id").asText()).isEqualTo(hit.header("webhook-id"));
        assertThat(d.get("event_id").asText()).isEqualTo(payload.get("id").asText());
        assertThat(d.get("event_type").asText()).isEqualTo("run.completed");
        assertThat(d.get("status").asText()).isEqualTo("succeeded");
        assertThat(d.get("attempts").asInt()).isEqualTo(1);
        assertThat(d.get("last_status_code").asInt()).isEqualTo(200);
        assertThat(d.get("last_latency_ms").asLong()).isNotNegative();
        assertThat(d.get("next_attempt_at").isNull()).isTrue();
        assertThat(d.get("response_excerpt").asText()).contains("received");

        // A failed run reaches the subscriber that asked for run.failed, with the error.
        Run failed = runToEnd(org, publish(org, BROKEN));
        Receiver.Hit failure = receiver.await("/once/failed-only", 1, Duration.ofSeconds(10)).getFirst();
        assertThat(failure.json().get("type").asText()).isEqualTo("run.failed");
        assertThat(failure.json().get("data").get("workflow_run").get("id").asLong()).isEqualTo(failed.id());
        assertThat(failure.json().get("data").get("workflow_run").get("error").get("message").asText())
                .contains("out of stock");
        assertThat(failure.json().get("data").get("error").get("code").asText()).as("why, machine-readably")
                .isEqualTo("step_failed");
        assertThat(failure.json().get("data").get("error").get("message").asText()).contains("out of stock");
    }

    @Test
    void failuresAreRetriedWithTheSameWebhookIdUntilTheEndpointAnswers() {
        Org org = newOrg();
        Hook flaky = subscribe(org, "/flaky", "[\"run.completed\"]", null);
        receiver.script("/flaky", 500, 503);
        runToEnd(org, publish(org, ORDER));

        List<Receiver.Hit> hits = receiver.await("/flaky", 3, Duration.ofSeconds(15));
        assertThat(hits).extracting(h -> h.header("webhook-id")).containsOnly(hits.getFirst().header("webhook-id"));
        assertThat(hits).allSatisfy(h -> assertThat(h.verifies(flaky.secret())).isTrue());
        assertThat(hits.get(1).receivedAtNanos() - hits.get(0).receivedAtNanos())
                .as("the schedule's delay between attempts").isGreaterThanOrEqualTo(Duration.ofMillis(900).toNanos());

        JsonNode d = eventually(() -> deliveryLog(org, flaky.id()).get(0),
                n -> n.get("status").asText().equals("succeeded"), Duration.ofSeconds(5));
        assertThat(d.get("attempts").asInt()).isEqualTo(3);
        assertThat(d.get("last_status_code").asInt()).isEqualTo(200);
        assertThat(webhook(org, flaky.id()).get("failing_since").isNull()).as("a success ends the failure streak").isTrue();
        Receiver.sleep(1200);
        assertThat(receiver.hits("/flaky")).hasSize(3);
    }

    @Test
    void aHangingEndpointDoesNotHoldUpAnotherSubscriber() {
        Org org = newOrg();
        receiver.hang("/hang");
        Hook hanging = subscribe(org, "/hang", "[\"run.completed\"]", null);
        subscribe(org, "/prompt", "[\"run.completed\"]", null);
        runToEnd(org, publish(org, ORDER));

        receiver.await("/prompt", 1, Duration.ofSeconds(5));
        // Its own delivery may reach the receiver just after the prompt one (at a load of 40 it did): waited for.
        assertThat(receiver.await("/hang", 1, Duration.ofSeconds(5)))
                .as("the hanging endpoint was called too, and is still hanging").hasSize(1);

        JsonNode d = eventually(() -> deliveryLog(org, hanging.id()).get(0),
                n -> n.get("attempts").asInt() >= 1 && !n.get("last_error").isNull(), Duration.ofSeconds(20));
        assertThat(d.get("last_error").asText()).contains("timeout");
        assertThat(d.get("last_status_code").isNull()).isTrue();
        assertThat(d.get("last_latency_ms").asLong()).isBetween(9_000L, 12_000L);
        // Stop its retries from occupying the pollers of the tests that follow.
        api.send("DELETE", "/api/manage/v1/webhooks/" + hanging.id(), (byte[]) null,
                "Authorization", "Bearer " + org.manageToken());
    }

    @Test
    void anEndpointAnswering410IsDisabledAndItsOwnerSeesWhy() {
        Org org = newOrg();
        Hook gone = subscribe(org, "/gone", "[\"run.completed\"]", null);
        receiver.script("/gone", 410);
        long wf = publish(org, ORDER);
        runToEnd(org, wf);
        receiver.await("/gone", 1, Duration.ofSeconds(10));

        JsonNode hook = eventually(() -> webhook(org, gone.id()), n -> n.get("status").asText().equals("disabled"),
                Duration.ofSeconds(5));
        assertThat(hook.get("disabled_reason").asText()).contains("410");
        assertThat(hook.get("disabled_at").isNull()).isFalse();
        assertThat(deliveryLog(org, gone.id()).get(0).get("status").asText()).isEqualTo("failed");

        runToEnd(org, wf);
        Receiver.sleep(1500);
        assertThat(receiver.hits("/gone")).as("nothing is sent to a disabled webhook").hasSize(1);

        var enabled = api.post("/api/manage/v1/webhooks/" + gone.id() + "/enable", org.manageToken(), null);
        assertThat(enabled.json().get("webhook").get("status").asText()).isEqualTo("enabled");
        runToEnd(org, wf);
        receiver.await("/gone", 2, Duration.ofSeconds(10));
    }

    @Test
    void anEndpointFailingForTheWholeWindowIsDisabledWithTheReason() {
        Org org = newOrg();
        Hook down = subscribe(org, "/down", "[\"run.completed\"]", null);
        receiver.script("/down", 500, 500, 500, 500, 500, 500, 500, 500);
        runToEnd(org, publish(org, ORDER));
        JsonNode hook = eventually(() -> webhook(org, down.id()), n -> n.get("status").asText().equals("disabled"),
                Duration.ofSeconds(20));
        assertThat(hook.get("disabled_reason").asText()).contains("failed", "HTTP 500");
        assertThat(hook.get("failing_since").isNull()).isFalse();
        assertThat(receiver.hits("/down").size()).isBetween(2, 8);
    }

    @Test
    void aReplayIsANewMessageWithTheSameEvent() {
        Org org = newOrg();
        Org other = newOrg();
        Hook hook = subscribe(org, "/replay", "[\"run.completed\"]", null);
        runToEnd(org, publish(org, ORDER));
        Receiver.Hit first = receiver.await("/replay", 1, Duration.ofSeconds(10)).getFirst();
        String original = first.header("webhook-id");

        var refused = api.post("/api/manage/v1/webhooks/deliveries/" + original + "/replay", other.manageToken(), null);
        assertThat(refused.status()).as("another organization's delivery").isEqualTo(404);
        assertThat(api.post("/api/manage/v1/webhooks/deliveries/msg_nope/replay", org.manageToken(), null).status())
                .isEqualTo(404);

        var replayed = api.post("/api/manage/v1/webhooks/deliveries/" + original + "/replay", org.manageToken(), null);
        assertThat(replayed.status()).as(replayed.toString()).isEqualTo(202);
        JsonNode delivery = replayed.json().get("delivery");
        assertThat(delivery.get("replay_of").asText()).isEqualTo(original);
        assertThat(delivery.get("id").asText()).startsWith("msg_").isNotEqualTo(original);

        Receiver.Hit second = receiver.await("/replay", 2, Duration.ofSeconds(10)).get(1);
        assertThat(second.header("webhook-id")).isEqualTo(delivery.get("id").asText());
        assertThat(second.verifies(hook.secret())).isTrue();
        assertThat(second.json().get("id")).as("the same event").isEqualTo(first.json().get("id"));
        assertThat(second.json().get("data")).isEqualTo(first.json().get("data"));
        assertThat(deliveryLog(org, hook.id())).hasSize(2);
    }

    @Test
    void aRotatedSecretSignsAlongsideTheOldOneDuringTheOverlapThenAlone() {
        Org org = newOrg();
        long wf = publish(org, ORDER);
        Hook hook = subscribe(org, "/rotate", "[\"run.completed\"]", null);
        var rotated = api.post("/api/manage/v1/webhooks/" + hook.id() + "/rotate-secret", org.manageToken(), null);
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        assertThat(rotated.header("Cache-Control")).isEqualTo("no-store");
        String fresh = rotated.json().get("secret").asText();
        assertThat(fresh).startsWith("whsec_").isNotEqualTo(hook.secret());
        assertThat(rotated.json().get("webhook").get("previous_secret_expires_at").asText()).isNotEmpty();

        runToEnd(org, wf);
        Receiver.Hit during = receiver.await("/rotate", 1, Duration.ofSeconds(10)).getFirst();
        assertThat(during.header("webhook-signature").split(" ")).hasSize(2);
        assertThat(during.verifies(fresh)).isTrue();
        assertThat(during.verifies(hook.secret())).as("receivers still holding the old secret").isTrue();

        // The overlap ends (24 h on the real clock; here the stored end is moved into the past).
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        runtime.webhookStore().replaceSecrets(org.id(), hook.id(),
                new Subscription.SigningSecrets(fresh, hook.secret(), now.minusSeconds(1)), now);
        runToEnd(org, wf);
        Receiver.Hit after = receiver.await("/rotate", 2, Duration.ofSeconds(10)).get(1);
        assertThat(after.header("webhook-signature").split(" ")).hasSize(1);
        assertThat(after.verifies(fresh)).isTrue();
        assertThat(after.verifies(hook.secret())).isFalse();
        assertThat(webhook(org, hook.id()).get("previous_secret_expires_at").isNull()).isTrue();
    }

    @Test
    void caseEventsFollowTheCaseContract() {
        Org org = newOrg();
        long wf = publish(org, ORDER);
        Hook hook = subscribe(org, "/cases", "[\"case.created\",\"case.status_changed\"]", null);
        long caseId = runtime.ids().next();
        String created = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", AttributeValue.fromS("CASE#" + caseId));
        item.put("sk", AttributeValue.fromS("CASE"));
        item.put("type", AttributeValue.fromS("case"));
        item.put("case_id", AttributeValue.fromN(Long.toString(caseId)));
        item.put("org_id", AttributeValue.fromN(Long.toString(org.id())));
        item.put("workflow_id", AttributeValue.fromN(Long.toString(wf)));
        item.put("subject", AttributeValue.fromS("Refund request"));
        item.put("status", AttributeValue.fromS("Open"));
        item.put("attributes", AttributeValue.fromS("{\"amount\":42.50,\"reason\":\"late delivery\"}"));
        item.put("created_at", AttributeValue.fromS(created));
        item.put("updated_at", AttributeValue.fromS(created));
        item.put("gsi1pk", AttributeValue.fromS("CASES#" + org.id() + "#" + wf + "#Open"));
        item.put("gsi1sk", AttributeValue.fromS(created + "#" + String.format("%016d", caseId)));
        String table = runtime.settings().table();
        runtime.dynamo().putItem(b -> b.tableName(table).item(item));

        Receiver.Hit first = receiver.await("/cases", 1, Duration.ofSeconds(10)).getFirst();
        assertThat(first.verifies(hook.secret())).isTrue();
        assertThat(first.json().get("type").asText()).isEqualTo("case.created");
        JsonNode theCase = first.json().get("data").get("case");
        assertThat(theCase.fieldNames()).toIterable()
                .containsExactly("id", "workflow_id", "subject", "status", "attributes", "created_at", "updated_at");
        assertThat(theCase.get("id").asLong()).isEqualTo(caseId);
        assertThat(theCase.get("status").asText()).isEqualTo("Open");
        assertThat(theCase.get("attributes").toString()).isEqualTo("{\"amount\":42.50,\"reason\":\"late delivery\"}");
        assertThat(theCase.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");

        String later = Instant.now().plusMillis(5).truncatedTo(ChronoUnit.MILLIS).toString();
        var key = Map.of("pk", item.get("pk"), "sk", item.get("sk"));
        runtime.dynamo().updateItem(b -> b.tableName(table).key(key)
                .updateExpression("SET #s = :s, updated_at = :u")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS("Closed"), ":u", AttributeValue.fromS(later))));
        Receiver.Hit second = receiver.await("/cases", 2, Duration.ofSeconds(10)).get(1);
        assertThat(second.json().get("type").asText()).isEqualTo("case.status_changed");
        assertThat(second.json().get("data").get("case").get("status").asText()).isEqualTo("Closed");
        assertThat(second.json().get("data").get("previous_status").asText()).isEqualTo("Open");

        // Attributes change, status does not: the filter lets it through, the handler drops it.
        runtime.dynamo().updateItem(b -> b.tableName(table).key(key)
                .updateExpression("SET attributes = :a")
                .expressionAttributeValues(Map.of(":a", AttributeValue.fromS("{\"amount\":1}"))));
        Receiver.sleep(1500);
        assertThat(receiver.hits("/cases")).hasSize(2);
    }
}
