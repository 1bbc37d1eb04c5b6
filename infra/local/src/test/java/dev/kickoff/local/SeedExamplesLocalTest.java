package dev.kickoff.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.api.workspace.WorkspaceIds;
import dev.kickoff.api.workspace.WorkspaceIds.Kind;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.json.Json;
import dev.kickoff.emulators.CloudFormationTemplate;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * "Done" for the trigger edge: the seeds' own client examples (resources/seeds: curl, JavaScript fetch +
 * waitForCompletion, Python requests), unchanged but for host, tokens and IDs, run against the local stack over
 * real HTTP. Each is skipped where its tool (curl, node, python3 with requests) is not installed.
 */
class SeedExamplesLocalTest {
    static Path dataDir;
    static Path scripts;
    static KickoffLocal stack;
    static LocalHttp http;
    static long invoice;
    static long open;
    static long failing;

    static final String CREATE_INVOICE = """
            {"name": "Create Invoice", "trigger": {"type": "api"},
             "inputSchema": {"type": "object", "required": ["customerId", "amount"],
               "properties": {
                 "customerId": {"type": "string", "pattern": "^cus_[a-zA-Z0-9]+$"},
                 "amount": {"type": "number", "minimum": 100},
                 "currency": {"type": "string", "enum": ["usd", "eur", "gbp"], "default": "usd"}}},
             "steps": [{"id": "create-invoice", "type": "transform", "name": "Create Invoice",
               "config": {"mapping": {"id": "inv_123", "amount": "{{input.amount}}", "currency": "{{input.currency}}"}}}],
             "output": {"invoiceId": "{{steps.create-invoice.output.id}}"}}""";
    static final String OPEN = """
            {"name": "Anything", "steps": [{"id": "echo", "type": "transform", "config": {"mapping": {"seen": "{{input}}"}}}]}""";
    static final String FAILING = """
            {"name": "Fails", "steps": [{"id": "boom", "type": "fail",
             "config": {"message": "card declined for {{input.customerId}}"}}]}""";

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("kickoff-seeds");
        scripts = Files.createTempDirectory("kickoff-seed-scripts");
        stack = KickoffLocal.start(new KickoffLocal.Options(0, dataDir, CloudFormationTemplate.locate(), 2));
        http = new LocalHttp(stack.baseUrl());
        invoice = publish(CREATE_INVOICE);
        open = publish(OPEN);
        failing = publish(FAILING);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    static long publish(String definition) {
        var created = http.send("POST", "/api/manage/v1/workflows", stack.manageToken(), definition);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        long id = created.json().get("workflow").get("id").asLong();
        assertThat(http.send("POST", "/api/manage/v1/workflows/" + id + "/publish", stack.manageToken(), null).status())
                .isEqualTo(200);
        return id;
    }

    /** A seed example from resources/seeds with its host and placeholders replaced, written where a tool can run it. */
    static Path example(String name, Map<String, String> replacements) throws IOException {
        String text;
        try (InputStream in = SeedExamplesLocalTest.class.getResourceAsStream("/seeds/" + name)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, String> all = new LinkedHashMap<>(replacements);
        all.put("http://localhost:3000", stack.baseUrl());
        all.put("https://api.example.com", stack.baseUrl());
        all.put("https://api.wiv.ai", stack.baseUrl());
        for (var e : all.entrySet()) {
            text = text.replace(e.getKey(), e.getValue());
        }
        Path file = scripts.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    /** Runs a command with the example's environment; its standard output. */
    static String run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("finished in time: " + List.of(command)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(List.of(command) + " exited with " + p.exitValue() + ": " + text).isZero();
        return text;
    }

    static boolean available(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    static JsonNode curl(String example, Map<String, String> replacements) throws Exception {
        assumeTrue(available("curl", "--version"), "curl is not installed");
        Path script = example(example, replacements);
        return Json.parse(run(Map.of("API_KEY", stack.apiToken()), "bash", script.toString()));
    }

    static Map<String, String> keys(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("YOUR_API_KEY", stack.apiToken());
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    /** Polls a URL the way the seed's waitForCompletion does, until the status at {@code pointer} is terminal. */
    static JsonNode await(String path, String pointer, Map<String, String> headers) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String[] flat = headers.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue()))
                .toArray(String[]::new);
        while (System.nanoTime() < deadline) {
            JsonNode body = http.send("GET", path, null, null, flat).json();
            String status = body.at(pointer).asText().toLowerCase(java.util.Locale.ROOT);
            if (status.equals("completed") || status.equals("failed")) {
                return body;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not finished: " + path);
    }

    @Test
    void seed003CurlBasicRequestAndRunStatus() throws Exception {
        JsonNode started = curl("seed003-basic.sh", keys("{WORKFLOW_ID}", "wf_" + invoice));
        assertThat(started.get("success").asBoolean()).isTrue();
        String runId = started.get("data").get("runId").asText();
        assertThat(runId).matches("run_\\d+");
        assertThat(started.get("data").get("status").asText()).isEqualTo("pending");
        assertThat(started.get("data").get("workflowId").asText()).isEqualTo("wf_" + invoice);

        await("/api/v1/runs/" + runId, "/data/status", Map.of("x-api-key", stack.apiToken()));
        JsonNode status = curl("seed003-status.sh", keys("{RUN_ID}", runId));
        assertThat(status.get("data").get("status").asText()).isEqualTo("completed");
        assertThat(Json.write(status.get("data").get("output"))).isEqualTo("{\"invoiceId\":\"inv_123\"}");
        assertThat(status.get("data").get("steps").get(0).get("id").asText()).isEqualTo("create-invoice");
        assertThat(status.get("data").get("completedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    }

    @Test
    void seed003CurlIdempotencyWebhookSimulationAndCron() throws Exception {
        JsonNode first = curl("seed003-idempotency.sh", keys("{id}", Long.toString(open)));
        JsonNode again = curl("seed003-idempotency.sh", keys("{id}", Long.toString(open)));
        assertThat(first.get("success").asBoolean()).isTrue();
        assertThat(again.get("data").get("runId").asText()).isEqualTo(first.get("data").get("runId").asText());

        JsonNode stripe = curl("seed003-stripe.sh", keys("{id}", Long.toString(open)));
        assertThat(stripe.get("success").asBoolean()).as("sent without Content-Type, as the seed does").isTrue();
        JsonNode done = await("/api/v1/runs/" + stripe.get("data").get("runId").asText(), "/data/status",
                Map.of("x-api-key", stack.apiToken()));
        assertThat(done.at("/data/output/seen/data/object/amount_paid").asInt()).isEqualTo(9900);

        JsonNode cron = curl("seed003-cron.sh", keys("wf_daily_report", "wf_" + open));
        assertThat(cron.get("success").asBoolean()).isTrue();
    }

    @Test
    void seed003JavaScriptFetchAndWaitForCompletion() throws Exception {
        assumeTrue(available("node", "-e", "if (typeof fetch !== 'function') process.exit(1)"),
                "node with fetch is not installed");
        Path script = example("seed003-trigger-and-wait.mjs", Map.of());
        String out = run(Map.of("API_KEY", stack.apiToken(), "WORKFLOW_ID", "wf_" + invoice,
                "FAILING_WORKFLOW_ID", "wf_" + failing), "node", script.toString());
        assertThat(out).containsPattern("Run ID: run_\\d+\\n")
                .contains("Output: {\"invoiceId\":\"inv_123\"}\n")
                .contains("Failed: step 'boom' failed: card declined for cus_xxx\n");
    }

    @Test
    void seed003PythonRequests() throws Exception {
        assumeTrue(available("python3", "-c", "import requests"), "python3 with requests is not installed");
        Path script = example("seed003_trigger.py", Map.of());
        String out = run(Map.of("API_KEY", stack.apiToken(), "WORKFLOW_ID", "wf_" + invoice), "python3", script.toString());
        assertThat(out).matches("Run ID: run_\\d+\\n");
        String runId = out.substring("Run ID: ".length()).strip();
        JsonNode done = await("/api/v1/runs/" + runId, "/data/status", Map.of("x-api-key", stack.apiToken()));
        assertThat(done.at("/data/input/currency").asText()).as("the schema's default").isEqualTo("usd");
    }

    @Test
    void seed002CurlTriggerAndTheRunReadBack() throws Exception {
        String workspace = WorkspaceIds.encode(Kind.WORKSPACE, stack.orgId());
        String workflow = WorkspaceIds.encode(Kind.WORKFLOW, open);
        JsonNode run = curl("seed002-trigger.sh", Map.of("{workspace_id}", workspace, "{workflow_id}", workflow,
                "<token>", stack.apiToken()));
        assertThat(run.get("workflow_id").asText()).isEqualTo(workflow);
        assertThat(run.get("status").asText()).isEqualTo("pending");
        assertThat(run.get("total_cost_cents").asInt()).isZero();
        JsonNode done = await("/api/v1/workspaces/" + workspace + "/workflows/" + workflow + "/runs/"
                + run.get("id").asText(), "/status", Map.of("Authorization", "Bearer " + stack.apiToken()));
        assertThat(done.get("status").asText()).isEqualTo("completed");
        assertThat(done.get("node_runs")).hasSize(1);
        assertThat(done.get("node_runs").get(0).get("output_data").get("seen").toString()).isEqualTo("{}");
    }

    @Test
    void seed004RunAndTheExecutionReadBack() throws Exception {
        JsonNode data = curl("seed004-run.sh", Map.of("{workflow_id}", Long.toString(open),
                "{your_api_key}", stack.apiToken())).get("data");
        assertThat(data.get("event_type").asText()).isEqualTo("WORKFLOW_TRIGGER");
        assertThat(data.get("run_by").asText()).isEqualTo("local");
        assertThat(data.get("tenant_id").asText()).isEqualTo(Long.toString(stack.orgId()));
        JsonNode done = await("/workflows/" + open + "/executions/" + data.get("execution_id").asText(), "/data/status",
                Map.of("X-API-KEY", stack.apiToken()));
        assertThat(done.at("/data/status").asText()).isEqualTo("COMPLETED");
    }

    @Test
    void errorExamplesOverRealHttp() {
        var draft = http.send("POST", "/api/manage/v1/workflows", stack.manageToken(), OPEN).json()
                .get("workflow").get("id").asLong();
        String[] key = {"x-api-key", stack.apiToken(), "Content-Type", "application/json"};
        assertThat(http.send("POST", "/api/v1/workflows/wf_404/run", null, "{\"input\":{}}", key).body())
                .isEqualTo("{\"success\":false,\"error\":{\"code\":\"NOT_FOUND\",\"message\":\"Workflow not found\"}}");
        assertThat(http.send("POST", "/api/v1/workflows/wf_" + draft + "/run", null, "{\"input\":{}}", key).body())
                .isEqualTo("{\"success\":false,\"error\":{\"code\":\"INVALID_STATUS\","
                        + "\"message\":\"Workflow must be active to run. Current status: draft\"}}");
        var invalid = http.send("POST", "/api/v1/workflows/wf_" + invoice + "/run", null, "{\"input\":{\"amount\":9900}}", key);
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body()).isEqualTo("{\"success\":false,\"error\":{\"code\":\"VALIDATION_ERROR\","
                + "\"message\":\"Input validation failed\",\"details\":[{\"path\":[\"customerId\"],\"message\":\"Required\"}]}}");
        var unauthenticated = http.send("POST", "/api/v1/workflows/wf_" + invoice + "/run", null, "{}");
        assertThat(unauthenticated.status()).isEqualTo(401);
        assertThat(invalid.raw().headers().firstValue("RateLimit-Limit")).hasValue("500");
    }

    @Test
    void rateLimitedExampleOverRealHttp() {
        // An organization of its own, with a limit of 2 a minute, so the burst needs no 500 requests.
        var runtime = new CompositionRoot(Settings.fromEnvironment(FunctionSpec.of("ApiFunction", stack.resources())
                .environment()));
        var boot = runtime.organizations().create("Limited");
        String token = runtime.tokens().issue(boot.organization().id(), "limited", Scope.API).secret();
        long workflow = runtime.workflows().create(boot.organization().id(), Json.parse(OPEN)).workflow().id();
        runtime.workflows().publish(boot.organization().id(), workflow, null);
        runtime.executeLimits().setLimit(boot.organization().id(), 2);

        String[] key = {"x-api-key", token, "Content-Type", "application/json"};
        String path = "/api/v1/workflows/wf_" + workflow + "/run";
        LocalHttp.Response last = null;
        // the third request of a minute is refused (up to six, in case a minute ends during the loop)
        for (int i = 0; i < 6 && (last == null || last.status() != 429); i++) {
            last = http.send("POST", path, null, "{\"input\":{}}", key);
        }
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.body()).isEqualTo("{\"success\":false,\"error\":{\"code\":\"RATE_LIMITED\","
                + "\"message\":\"Rate limit exceeded. Limit: 2 requests per minute.\"}}");
        assertThat(last.raw().headers().firstValue("Retry-After")).isPresent();
        assertThat(last.raw().headers().firstValue("RateLimit-Remaining")).hasValue("0");
    }
}
