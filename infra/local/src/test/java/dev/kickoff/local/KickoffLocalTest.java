package dev.kickoff.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.emulators.CloudFormationTemplate;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's run command, in-process: the whole system over real HTTP, as a new user meets it. */
class KickoffLocalTest {
    @TempDir
    Path dataDir;

    KickoffLocal start() throws Exception {
        return KickoffLocal.start(new KickoffLocal.Options(0, dataDir, CloudFormationTemplate.locate(), 2));
    }

    @Test
    void seed000CurlLinesWorkAgainstTheLocalStack() throws Exception {
        try (KickoffLocal stack = start()) {
            LocalHttp http = new LocalHttp(stack.baseUrl());
            Path credentials = dataDir.resolve("credentials.json");
            JsonNode stored = Json.parse(Files.readAllBytes(credentials));
            assertThat(stored.fieldNames()).toIterable().containsExactly("org_id", "manage_token", "api_token");
            assertThat(stored.get("api_token").asText()).startsWith("api_").isEqualTo(stack.apiToken());
            assertThat(stored.get("manage_token").asText()).startsWith("mgt_");
            assertThat(Files.getPosixFilePermissions(credentials))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

            // The sample workflow is there and published.
            JsonNode workflows = http.send("GET", "/api/manage/v1/workflows", stack.manageToken(), null).json();
            long workflow = workflows.get("workflows").get(0).get("id").asLong();
            assertThat(workflows.get("workflows").get(0).get("status").asText()).isEqualTo("published");

            // curl -X POST .../workflows/{WORKFLOW_ID}/runs -H "Authorization: Bearer ..." -d '{"input": {"key": "value"}}'
            var created = http.send("POST", "/api/external/v1/workflows/" + workflow + "/runs", stack.apiToken(),
                    "{\"input\": {\"customerId\": \"cus_1\", \"items\": [{\"product\": \"Widget\", \"quantity\": 2, \"price\": 1999}]}}",
                    "Content-Type", "application/json");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            JsonNode run = created.json().get("workflow_run");
            assertThat(run.get("status").asText()).isEqualTo("pending");
            String url = run.get("url").asText();
            assertThat(url).isEqualTo(stack.baseUrl() + "/api/external/v1/workflows/" + workflow + "/runs/"
                    + run.get("id").asLong());

            // curl https://…/workflows/{WORKFLOW_ID}/runs/{RUN_ID}, polled until terminal
            JsonNode done = http.awaitRun(url, stack.apiToken());
            assertThat(done.get("status").asText()).isEqualTo("completed");
            assertThat(Json.write(done.get("output"))).isEqualTo("{\"subtotal\":3998,\"tax\":319.84,\"total\":4317.84}");

            var missing = http.send("GET", url, null, null);
            assertThat(missing.status()).isEqualTo(401);
            assertThat(missing.json().get("error").isTextual()).isTrue();
            var unknown = http.send("GET", "/nowhere", stack.apiToken(), null);
            assertThat(unknown.status()).isEqualTo(404);
            assertThat(unknown.raw().headers().firstValue("content-type")).hasValueSatisfying(
                    v -> assertThat(v).contains("application/json"));
        }
    }

    @Test
    void dataAndCredentialsSurviveARestartAndUnfinishedRunsAreResumed() throws Exception {
        long org;
        String token;
        long workflow;
        long finishedRun;
        long strandedRun;
        try (KickoffLocal stack = start()) {
            LocalHttp http = new LocalHttp(stack.baseUrl());
            org = stack.orgId();
            token = stack.apiToken();
            workflow = http.send("GET", "/api/manage/v1/workflows", stack.manageToken(), null).json()
                    .get("workflows").get(0).get("id").asLong();
            JsonNode run = http.send("POST", "/api/external/v1/workflows/" + workflow + "/runs", token,
                    "{\"input\": {\"customerId\": \"cus_1\", \"items\": []}}").json().get("workflow_run");
            finishedRun = http.awaitRun(run.get("url").asText(), token).get("id").asLong();

            // A run whose message was lost when the stack stopped (ElasticMQ keeps messages in memory): stored,
            // its message gone.
            var env = new java.util.HashMap<>(FunctionSpec.of("ApiFunction", stack.resources()).environment());
            CompositionRoot runtime = new CompositionRoot(Settings.fromEnvironment(env));
            var wf = runtime.workflowStore().find(org, workflow).orElseThrow();
            java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            strandedRun = runtime.ids().next();
            runtime.runStore().create(new dev.kickoff.core.run.Run(strandedRun, org, workflow, wf.publishedVersion(),
                    false, 1, "api", "test", "live", Json.parse("{\"items\": []}"), null, null, now,
                    dev.kickoff.core.run.RunStatus.PENDING, null, null, java.util.List.of(), now, null, null, 0, null,
                    null));
        }
        try (KickoffLocal again = start()) {
            LocalHttp http = new LocalHttp(again.baseUrl());
            assertThat(again.orgId()).isEqualTo(org);
            assertThat(again.apiToken()).isEqualTo(token);
            String base = "/api/external/v1/workflows/" + workflow + "/runs/";
            assertThat(http.send("GET", base + finishedRun, token, null).json().get("workflow_run").get("status")
                    .asText()).isEqualTo("completed");
            assertThat(http.awaitRun(again.baseUrl() + base + strandedRun, token).get("status").asText())
                    .isEqualTo("completed");
        }
    }

    @Test
    void theSecretsKeyFileIsMadeOnFirstStartAndConnectionsStillOpenAfterARestart() throws Exception {
        java.nio.file.Path key = dataDir.resolve(KickoffLocal.SECRETS_KEY_FILE);
        long org;
        String connectionId;
        try (KickoffLocal stack = start()) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(key)))
                    .isEqualTo("rw-------");
            org = stack.orgId();
            connectionId = localRuntime(stack).connections().create(org, Json.parse("""
                    {"provider": "stripe", "name": "test mode", "secrets": {"apiKey": "sk_test_local_0123456789"}}""")).id();
        }
        String before = java.nio.file.Files.readString(key);
        assertThat(before).doesNotContain("sk_test_local_0123456789");
        try (KickoffLocal again = start()) {
            assertThat(java.nio.file.Files.readString(key)).as("the key is kept across restarts").isEqualTo(before);
            assertThat(localRuntime(again).connections().open(org, dev.kickoff.core.connection.Provider.STRIPE,
                    connectionId, null).secret("apiKey")).isEqualTo("sk_test_local_0123456789");
        }
    }

    /** The API function's composition root as the local stack builds it (key file, not KMS). */
    CompositionRoot localRuntime(KickoffLocal stack) {
        var env = new java.util.HashMap<>(FunctionSpec.of("ApiFunction", stack.resources()).environment());
        env.put("KICKOFF_LOCAL", "true");
        env.put("KICKOFF_SECRETS_KMS_KEY_ID", "");
        env.put("KICKOFF_SECRETS_KEY_FILE", dataDir.resolve(KickoffLocal.SECRETS_KEY_FILE).toAbsolutePath().toString());
        return new CompositionRoot(Settings.fromEnvironment(env));
    }

    @Test
    void theLocalStackWiresEveryEventSourceTheTemplateDeclares() throws Exception {
        try (KickoffLocal stack = start()) {
            assertThat(stack.wiredEventSources()).containsExactlyInAnyOrder(
                    "ApiFunction/Everything (HttpApi)", "WorkerFunction/Runs (SQS RunsQueue)",
                    "StreamsFunction/TableStream (DynamoDB stream KickoffTable)",
                    "DeliveryFunction/Deliveries (SQS WebhookDeliveryQueue)",
                    "SweeperFunction/Sweep (Schedule rate(1 minute))",
                "SchedulerFunction/Fires (SQS ScheduleFiresQueue)");
            // The schedule invokes the sweeper handler the template names, which answers what it did.
            Object report = stack.schedules().get("SweeperFunction/Sweep").fire(java.time.Instant.now());
            assertThat(report).isInstanceOf(java.util.Map.class);
            @SuppressWarnings("unchecked")
            var answer = (java.util.Map<String, Object>) report;
            assertThat(answer).containsEntry("complete", true).containsEntry("requeued", 0);
        }
    }


    @Test
    void aWebhookSubscriberOnLocalhostGetsTheRunsResult() throws Exception {
        java.util.concurrent.BlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();
        var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try (KickoffLocal stack = start()) {
            LocalHttp http = new LocalHttp(stack.baseUrl());
            long workflow = http.send("GET", "/api/manage/v1/workflows", stack.manageToken(), null).json()
                    .get("workflows").get(0).get("id").asLong();
            var hook = http.send("POST", "/api/manage/v1/webhooks", stack.manageToken(),
                    "{\"url\": \"http://127.0.0.1:" + server.getAddress().getPort() + "/hook\", "
                            + "\"events\": [\"run.completed\"]}");
            assertThat(hook.status()).as(hook.body()).isEqualTo(201);
            var started = http.send("POST", "/api/external/v1/workflows/" + workflow + "/runs", stack.apiToken(),
                    "{\"input\": {\"customerId\": \"cus_1\", \"items\": []}}");
            assertThat(started.status()).as(started.body()).isEqualTo(201);
            JsonNode run = started.json().get("workflow_run");
            String body = received.poll(20, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(body).as("the webhook arrived").isNotNull();
            JsonNode event = Json.parse(body);
            assertThat(event.get("type").asText()).isEqualTo("run.completed");
            assertThat(event.get("data").get("workflow_run").get("id").asLong()).isEqualTo(run.get("id").asLong());
            assertThat(event.get("data").get("workflow_run").get("url").asText()).isEqualTo(run.get("url").asText());
        } finally {
            server.stop(0);
        }
    }

    /**
     * A port in use was reported only when Jetty's BindException came through unwrapped; wrapped (as the gateway
     * does), the start failed half way and the emulators' threads kept a process alive that served nothing (found by
     * the reliability suite, which waited 5 minutes for it).
     */
    @Test
    void aPortInUseIsSaidAndTheProcessExits() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dkickoff.template=" + CloudFormationTemplate.locate(),
                    "-cp", System.getProperty("java.class.path"),
                    KickoffLocal.class.getName()).redirectErrorStream(true);
            pb.environment().put("KICKOFF_PORT", Integer.toString(taken.getLocalPort()));
            pb.environment().put("KICKOFF_DATA_DIR", dataDir.toString());
            Process p = pb.start();
            boolean exited = p.waitFor(3, java.util.concurrent.TimeUnit.MINUTES);
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!exited) {
                p.destroyForcibly();
            }
            assertThat(exited).as("the process exits: " + out).isTrue();
            assertThat(p.exitValue()).isEqualTo(2);
            assertThat(out).contains("Port " + taken.getLocalPort() + " is in use");
            assertThat(dataDir.resolve("dynamodb")).as("said before anything was started").doesNotExist();
        }
    }

    /** The reliability suite's switch: every SQS message and stream record twice, shuffled; the results as ever. */
    @Test
    void withDeliveryChaosARunCompletesOnceAndItsWebhookComesOnce() throws Exception {
        java.util.List<String> received = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            received.add(exchange.getRequestHeaders().getFirst("webhook-id"));
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try (KickoffLocal stack = KickoffLocal.start(new KickoffLocal.Options(0, dataDir, CloudFormationTemplate.locate(), 2, 7L))) {
            LocalHttp http = new LocalHttp(stack.baseUrl());
            long workflow = http.send("GET", "/api/manage/v1/workflows", stack.manageToken(), null).json()
                    .get("workflows").get(0).get("id").asLong();
            http.send("POST", "/api/manage/v1/webhooks", stack.manageToken(), "{\"url\": \"http://127.0.0.1:"
                    + server.getAddress().getPort() + "/hook\", \"events\": [\"run.completed\"]}");
            JsonNode run = http.send("POST", "/api/external/v1/workflows/" + workflow + "/runs", stack.apiToken(),
                    "{\"input\": {\"customerId\": \"cus_1\", \"items\": [{\"quantity\": 2, \"price\": 1999}]}}").json()
                    .get("workflow_run");
            JsonNode done = http.awaitRun(run.get("url").asText(), stack.apiToken());
            assertThat(Json.write(done.get("output"))).isEqualTo("{\"subtotal\":3998,\"tax\":319.84,\"total\":4317.84}");
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
            while (received.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Thread.sleep(3000);  // time for a second delivery, which must not come
            assertThat(received).hasSize(1);
            JsonNode endpoint = Json.parse(Files.readAllBytes(dataDir.resolve(InvokeEndpoint.FILE)));
            assertThat(endpoint.get("services").get("dynamodb").asText()).startsWith("http://");
            assertThat(endpoint.get("services").get("tables").get("KickoffTable").asText()).isNotBlank();
        } finally {
            server.stop(0);
        }
        // What the reliability suite reads to know the chaos was on: the counts, final once the stack closed.
        assertThat(Files.readString(dataDir.resolve(KickoffLocal.DELIVERY_CHAOS_FILE)))
                .matches("delivery chaos: [1-9]\\d* SQS messages and [1-9]\\d* stream records delivered twice.*\\n");
    }
}
