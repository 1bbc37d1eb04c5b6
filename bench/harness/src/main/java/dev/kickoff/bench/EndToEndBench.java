package dev.kickoff.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kickoff.emulators.CloudFormationTemplate;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.local.KickoffLocal;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Trigger → completed for a three-step transform workflow on the local stack ({@link KickoffLocal}: the API
 * behind its HTTP gateway, the worker behind the SQS event source with the template's batch size), driven over
 * real HTTP on loopback.
 *
 * <p>Latency is measured open-loop: runs are started at a fixed rate, each from its own thread, so a slow run
 * never delays the next start. A run's latency is its {@code completed_at} (written by the worker, millisecond
 * precision) minus the instant the client started sending its POST — both read from the same clock of the same
 * process, so the difference is trustworthy to about a millisecond and has no polling error. As a cross-check,
 * a smaller sequential sample polls the run over the API every millisecond and takes the moment the client sees
 * {@code completed}. Saturation: {@code clients} threads start runs back to back; throughput is runs divided by
 * the time from the first POST to the last {@code completed_at}.
 *
 * <p>What an {@code http} step adds: three one-step workflows, started interleaved (transform, a no-op that takes the
 * claimed path, http), open-loop at the same rate, in the same stack: a transform step (pure: one write, no claim);
 * a {@code delay} of {@code PT0S} (impure: claim, checkpoint, complete, no request); an {@code http} POST to a
 * loopback server in this process (the same writes plus the request). Differences between their latencies are
 * the price of the claimed path and of the request itself.
 *
 * <p>Arguments: output JSON file, runs, rate (runs/s), polled runs, saturation runs, saturation clients, SQS
 * pollers, runs per one-step workflow.
 */
public final class EndToEndBench {
    public record Result(int runs, double ratePerSecond, Stats triggerToCompletedMs, Stats triggerToCreatedMs,
                         Stats createdToCompletedMs, Stats polledMs, int saturationRuns, int clients, int pollers,
                         double saturationRunsPerSecond, double acceptedPerSecond, Stats saturationLatencyMs,
                         int failed, StepComparison steps) {
    }

    /**
     * Trigger → completed for one-step workflows, interleaved in one run ({@code runs} each); {@code httpStepMs} is
     * the http step's own time as its record says (request to a loopback server, answer parsed), null in results
     * saved before the comparison existed.
     */
    public record StepComparison(int runs, Stats transformMs, Stats claimedNoOpMs, Stats httpMs, Stats httpStepMs,
                                 int failed) {
    }

    /** One transform step: pure, so the worker completes the run in one write without claiming it. */
    static final String ONE_TRANSFORM = """
            {"name": "One transform", "steps": [{"id": "step", "type": "transform",
              "config": {"mapping": {"customer": "{{input.customerId}}", "ok": true}}}]}""";
    /** A step that takes the claimed path (claim, checkpoint, complete) and sends nothing: a delay of nothing. */
    static final String ONE_NO_OP = """
            {"name": "One claimed no-op", "steps": [{"id": "step", "type": "delay", "config": {"duration": "PT0S"}}]}""";
    /** One http step, POSTing to {@code %s} (a loopback server in this process; the local stack allows loopback). */
    static final String ONE_HTTP = """
            {"name": "One http step", "steps": [{"id": "step", "type": "http",
              "config": {"method": "POST", "url": "%s", "body": {"customer": "{{input.customerId}}"}}}]}""";

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int runs = Integer.parseInt(args[1]);
        double rate = Double.parseDouble(args[2]);
        int polled = Integer.parseInt(args[3]);
        int saturationRuns = Integer.parseInt(args[4]);
        int clients = Integer.parseInt(args[5]);
        int pollers = Integer.parseInt(args[6]);
        int stepRuns = args.length > 7 ? Integer.parseInt(args[7]) : 300;

        Path data = Files.createTempDirectory("kickoff-bench-e2e");
        try (KickoffLocal stack = KickoffLocal.start(new KickoffLocal.Options(0, data, CloudFormationTemplate.locate(),
                pollers))) {
            EndToEndBench bench = new EndToEndBench(stack);
            long workflow = bench.publish(BenchStack.THREE_STEPS);
            bench.warmUp(workflow, 300);

            List<Started> open = bench.openLoop(workflow, runs, rate);
            List<Double> total = new ArrayList<>();
            List<Double> api = new ArrayList<>();
            List<Double> worker = new ArrayList<>();
            int failed = 0;
            for (Started s : open) {
                Map<String, AttributeValue> item = bench.awaitCompleted(s.runId());
                if (item == null) {
                    failed++;
                    continue;
                }
                Instant created = Instant.parse(item.get("created_at").s());
                Instant completed = Instant.parse(item.get("completed_at").s());
                total.add(Duration.between(s.sentAt(), completed).toNanos() / 1e6);
                api.add(Duration.between(s.sentAt(), created).toNanos() / 1e6);
                worker.add(Duration.between(created, completed).toNanos() / 1e6);
            }

            List<Double> polledMs = new ArrayList<>();
            for (int i = 0; i < polled; i++) {
                polledMs.add(bench.polled(workflow));
            }

            StepComparison steps = bench.compareSteps(stepRuns, rate);

            List<Started> burst = bench.saturate(workflow, saturationRuns, clients);
            Instant first = burst.stream().map(Started::sentAt).min(Instant::compareTo).orElseThrow();
            Instant lastAccepted = burst.stream().map(Started::answeredAt).max(Instant::compareTo).orElseThrow();
            Instant lastCompleted = first;
            List<Double> burstLatency = new ArrayList<>();
            for (Started s : burst) {
                Map<String, AttributeValue> item = bench.awaitCompleted(s.runId());
                if (item == null) {
                    failed++;
                    continue;
                }
                Instant completed = Instant.parse(item.get("completed_at").s());
                burstLatency.add(Duration.between(s.sentAt(), completed).toNanos() / 1e6);
                if (completed.isAfter(lastCompleted)) {
                    lastCompleted = completed;
                }
            }
            double seconds = Duration.between(first, lastCompleted).toNanos() / 1e9;
            double acceptSeconds = Duration.between(first, lastAccepted).toNanos() / 1e9;
            JSON.writeValue(out.toFile(), new Result(runs, rate, Stats.of(total), Stats.of(api), Stats.of(worker),
                    Stats.of(polledMs), saturationRuns, clients, pollers, saturationRuns / seconds,
                    saturationRuns / acceptSeconds, Stats.of(burstLatency), failed, steps));
        }
        System.exit(0);
    }

    record Started(long runId, Instant sentAt, Instant answeredAt) {
    }

    /**
     * The three one-step workflows, {@code runs} each, started in turn (transform, no-op, http, transform, ...) at
     * {@code rate} runs/s in all, so that all three meet the same machine.
     */
    StepComparison compareSteps(int runs, double rate) throws Exception {
        com.sun.net.httpserver.HttpServer target = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        target.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        byte[] answer = "{\"ok\": true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        target.createContext("/echo", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
            }
        });
        target.start();
        try {
            long[] workflows = {publish(ONE_TRANSFORM), publish(ONE_NO_OP),
                    publish(ONE_HTTP.formatted("http://127.0.0.1:" + target.getAddress().getPort() + "/echo"))};
            for (long w : workflows) {
                warmUp(w, 50);
            }
            List<List<Started>> started = new ArrayList<>();
            for (int k = 0; k < 3; k++) {
                started.add(new java.util.concurrent.CopyOnWriteArrayList<>());
            }
            AtomicInteger errors = new AtomicInteger();
            long interval = (long) (1e9 / rate);
            long t0 = System.nanoTime();
            try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 3 * runs; i++) {
                    long due = t0 + i * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    int kind = i % 3;
                    senders.submit(() -> {
                        try {
                            started.get(kind).add(start(workflows[kind]));
                        } catch (Exception e) {
                            errors.incrementAndGet();
                        }
                    });
                }
            }
            if (errors.get() > 0) {
                throw new IllegalStateException(errors.get() + " triggers failed");
            }
            List<List<Double>> latency = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            List<Double> httpStep = new ArrayList<>();
            int failed = 0;
            for (int k = 0; k < 3; k++) {
                for (Started s : started.get(k)) {
                    Map<String, AttributeValue> item = awaitCompleted(s.runId());
                    if (item == null) {
                        failed++;
                        continue;
                    }
                    latency.get(k).add(Duration.between(s.sentAt(), Instant.parse(item.get("completed_at").s()))
                            .toNanos() / 1e6);
                    if (k == 2) {
                        JsonNode step = JSON.readTree(item.get("steps").s()).get(0);
                        httpStep.add(Duration.between(Instant.parse(step.get("started_at").asText()),
                                Instant.parse(step.get("completed_at").asText())).toNanos() / 1e6);
                    }
                }
            }
            return new StepComparison(runs, Stats.of(latency.get(0)), Stats.of(latency.get(1)), Stats.of(latency.get(2)),
                    Stats.of(httpStep), failed);
        } finally {
            target.stop(0);
        }
    }

    private final KickoffLocal stack;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final DynamoDbClient dynamo = DynamoDbClient.create();  // the endpoints KickoffLocal installed
    private final String table;

    EndToEndBench(KickoffLocal stack) {
        this.stack = stack;
        this.table = stack.resources().table("KickoffTable").name();
        // 1,000+ runs a minute is past the default execute limit; raise the local org's own, as an operator would.
        var env = new HashMap<>(FunctionSpec.of("ApiFunction", stack.resources()).environment());
        env.put("KICKOFF_METRICS", "off");
        new CompositionRoot(Settings.fromEnvironment(env)).executeLimits().setLimit(stack.orgId(), BenchStack.BENCH_EXECUTE_LIMIT);
    }

    long publish(String definition) throws Exception {
        JsonNode created = send("POST", "/api/manage/v1/workflows", stack.manageToken(), definition, 201);
        long id = created.get("workflow").get("id").asLong();
        send("POST", "/api/manage/v1/workflows/" + id + "/publish", stack.manageToken(), null, 200);
        return id;
    }

    void warmUp(long workflow, int runs) throws Exception {
        List<Started> started = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            started.add(start(workflow));
        }
        for (Started s : started) {
            awaitCompleted(s.runId());
        }
    }

    Started start(long workflow) throws Exception {
        Instant sent = Instant.now();
        JsonNode run = send("POST", BenchStack.runsPath(workflow), stack.apiToken(), BenchStack.RUN_BODY, 201);
        return new Started(run.get("workflow_run").get("id").asLong(), sent, Instant.now());
    }

    List<Started> openLoop(long workflow, int runs, double rate) throws Exception {
        ConcurrentLinkedQueue<Started> started = new ConcurrentLinkedQueue<>();
        AtomicInteger errors = new AtomicInteger();
        long interval = (long) (1e9 / rate);
        long t0 = System.nanoTime();
        try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < runs; i++) {
                long due = t0 + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                senders.submit(() -> {
                    try {
                        started.add(start(workflow));
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                });
            }
        }
        if (errors.get() > 0) {
            throw new IllegalStateException(errors.get() + " triggers failed");
        }
        return new ArrayList<>(started);
    }

    List<Started> saturate(long workflow, int runs, int clients) throws Exception {
        ConcurrentLinkedQueue<Started> started = new ConcurrentLinkedQueue<>();
        AtomicInteger remaining = new AtomicInteger(runs);
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    while (remaining.getAndDecrement() > 0) {
                        started.add(start(workflow));
                    }
                    return null;
                });
            }
        }
        return new ArrayList<>(started);
    }

    /** Starts a run and polls it over the API every millisecond; returns ms from send to seeing it completed. */
    double polled(long workflow) throws Exception {
        long sent = System.nanoTime();
        JsonNode run = send("POST", BenchStack.runsPath(workflow), stack.apiToken(), BenchStack.RUN_BODY, 201);
        String url = BenchStack.runsPath(workflow) + "/" + run.get("workflow_run").get("id").asLong();
        while (System.nanoTime() - sent < 30e9) {
            JsonNode polledRun = send("GET", url, stack.apiToken(), null, 200).get("workflow_run");
            if (polledRun.get("status").asText().equals("completed")) {
                return (System.nanoTime() - sent) / 1e6;
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("run " + url + " did not complete in 30 s");
    }

    /** The run's item once it is completed (its documented {@code completed_at} has millisecond precision). */
    Map<String, AttributeValue> awaitCompleted(long runId) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            Map<String, AttributeValue> item = dynamo.getItem(GetItemRequest.builder().tableName(table)
                    .key(Map.of("pk", AttributeValue.fromS("RUN#" + runId), "sk", AttributeValue.fromS("RUN")))
                    .consistentRead(true).build()).item();
            if (item != null && item.containsKey("completed_at")) {
                return "completed".equals(item.get("status").s()) ? item : null;
            }
            Thread.sleep(20);
        }
        return null;
    }

    JsonNode send(String method, String path, String token, String body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.baseUrl() + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + ": expected " + expected + ", got "
                    + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }
}
