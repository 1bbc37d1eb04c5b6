package dev.kickoff.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kickoff.bench.cost.CostMeter;
import dev.kickoff.bench.cost.Ledger;
import dev.kickoff.emulators.CloudFormationTemplate;
import dev.kickoff.local.KickoffLocal;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 16's "new paths" on the local stack ({@link KickoffLocal}, as the e2e phase runs it): what a signal, a
 * delay's wake-up and {@code Prefer: wait} cost a caller, each against a baseline measured in the same stack, in the
 * same run.
 *
 * <ul>
 *   <li><b>Signal → completed</b>: runs of {@code wait_for_signal} then one transform are started and left
 *   {@code suspended}; then their signals are sent open-loop, interleaved one for one with triggers of a one-step
 *   transform workflow (the baseline: trigger → completed). Latency = the run's {@code completed_at} − the instant
 *   the client began the signal's POST (one clock, one process, as in the e2e phase).</li>
 *   <li><b>Delay wake-up lateness</b>: runs of a {@code delay} (a few seconds; a whole number and a fraction) then
 *   one transform, started interleaved open-loop. Due = the delay step's own {@code waited_until} (its start +
 *   the duration); lateness = the step's {@code completed_at} − due (woken, claimed, step completed) and the run's
 *   {@code completed_at} − due.</li>
 *   <li><b>{@code Prefer: wait}</b>: the e2e phase's three-step workflow, one run at a time, in alternating blocks:
 *   a POST with {@code Prefer: wait=5} (time until its answer, which must say {@code completed}) against a POST
 *   then GETs every {@code pollMs} until {@code completed}, and a plain POST nobody waits on (the floor).
 *   DynamoDB requests are counted per run by the cost meter's SDK interceptor over each block (whole stack: API,
 *   worker, stream functions; the bench's own reads left out), so a mode's reads beyond the floor are what its
 *   waiting or polling read.</li>
 * </ul>
 *
 * <p>Arguments: output JSON file, signal runs, delay runs (per delay), wait runs (per mode), rate (runs/s), SQS
 * pollers, delays (ISO-8601, comma-separated), poll intervals in ms (comma-separated).
 */
public final class PathsBench {
    public record Result(double ratePerSecond, int pollers, Signals signals, List<Delays> delays, Waits waits) {
    }

    /** Signal POST → completed; {@code signalAnswerMs}: the signal's own 202; baseline: one transform's trigger. */
    public record Signals(int runs, Stats signalToCompletedMs, Stats signalAnswerMs, Stats baselineMs, int failed) {
    }

    /** Lateness past the delay's due time, of the delay step's completion and of the run's; {@code runs} per delay. */
    public record Delays(int runs, String delay, Stats stepLatenessMs, Stats runLatenessMs, int failed) {
    }

    /** One way of getting a terminal answer: caller-observed ms, HTTP requests and DynamoDB reads per run. */
    public record WaitMode(String mode, int pollMs, int runs, Stats callerMs, double httpRequestsPerRun,
                           double dynamoReadsPerRun, double dynamoReadUnitsPerRun, double dynamoRequestsPerRun,
                           Map<String, Double> dynamoCallsPerRun, int failed) {
    }

    public record Waits(int runs, int preferWaitSeconds, List<WaitMode> modes) {
    }

    /** Waits for a signal named {@code go}, then one transform reading its payload. */
    static final String SIGNAL_THEN_TRANSFORM = """
            {"name": "Signal then transform", "steps": [
              {"id": "approval", "type": "wait_for_signal", "config": {"signal": "go"}},
              {"id": "after", "type": "transform",
               "config": {"mapping": {"customer": "{{input.customerId}}", "by": "{{steps.approval.output.by}}"}}}]}""";
    /**
     * A delay of {@code %s}, then one transform. A whole number of seconds is due a few ms after the wake-up message
     * is sent, so its {@code DelaySeconds} (rounded up) lands on time; a fraction (PT2.5S) shows the rounding, as an
     * {@code until} at any instant would.
     */
    static final String DELAY_THEN_TRANSFORM = """
            {"name": "Delay then transform", "steps": [
              {"id": "wait", "type": "delay", "config": {"duration": "%s"}},
              {"id": "after", "type": "transform", "config": {"mapping": {"customer": "{{input.customerId}}"}}}]}""";
    static final String SIGNAL_BODY = "{\"signal\": \"go\", \"payload\": {\"by\": \"bench\"}}";
    static final int PREFER_WAIT_SECONDS = 5;
    /** DynamoDB operations that read (what {@code Prefer: wait} and polling spend). */
    static final Set<String> READS = Set.of("GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems");

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int signalRuns = Integer.parseInt(args[1]);
        int delayRuns = Integer.parseInt(args[2]);
        int waitRuns = Integer.parseInt(args[3]);
        double rate = Double.parseDouble(args[4]);
        int pollers = Integer.parseInt(args[5]);
        List<Integer> pollIntervals = parseIntervals(args[7]);

        Path data = Files.createTempDirectory("kickoff-bench-paths");
        try (KickoffLocal stack = KickoffLocal.start(new KickoffLocal.Options(0, data, CloudFormationTemplate.locate(),
                pollers))) {
            PathsBench bench = new PathsBench(stack);
            Signals signals = bench.signals(signalRuns, rate);
            System.out.println("signals: " + signals);
            List<Delays> delays = bench.delays(delayRuns, rate, List.of(delays(args[6])));
            System.out.println("delays: " + delays);
            Waits waits = bench.waits(waitRuns, pollIntervals);
            System.out.println("waits: " + waits);
            JSON.writeValue(out.toFile(), new Result(rate, pollers, signals, delays, waits));
        }
        System.exit(0);
    }

    /** "PT2S,PT2.5S" → its delays. */
    static String[] delays(String text) {
        return java.util.Arrays.stream(text.split(",")).map(String::strip).filter(d -> !d.isEmpty()).toArray(String[]::new);
    }

    /** "1,100" → [1, 100]; each at least 1 ms (a poller that never pauses measures the emulators, not a client). */
    static List<Integer> parseIntervals(String text) {
        List<Integer> intervals = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int ms = Integer.parseInt(part.strip());
            if (ms < 1) {
                throw new IllegalArgumentException("a poll interval is at least 1 ms: " + text);
            }
            intervals.add(ms);
        }
        if (intervals.isEmpty()) {
            throw new IllegalArgumentException("no poll interval in '" + text + "'");
        }
        return intervals;
    }

    private final KickoffLocal stack;
    private final EndToEndBench e2e;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final DynamoDbClient dynamo = DynamoDbClient.create();  // the endpoints KickoffLocal installed
    private final String table;

    PathsBench(KickoffLocal stack) {
        this.stack = stack;
        this.e2e = new EndToEndBench(stack);  // raises the local organization's execute limit
        this.table = stack.resources().table("KickoffTable").name();
    }

    Signals signals(int runs, double rate) throws Exception {
        long waiting = e2e.publish(SIGNAL_THEN_TRANSFORM);
        long baseline = e2e.publish(EndToEndBench.ONE_TRANSFORM);
        e2e.warmUp(baseline, 50);
        // Warm the signal path too: a few runs signalled and completed before anything is measured.
        List<Long> warm = new ArrayList<>();
        for (int i = 0; i < Math.min(20, runs); i++) {
            warm.add(e2e.start(waiting).runId());
        }
        for (long run : warm) {
            awaitSuspended(run);
            signal(waiting, run);
        }
        for (long run : warm) {
            e2e.awaitCompleted(run);
        }

        List<EndToEndBench.Started> started = e2e.openLoop(waiting, runs, rate);
        int failed = 0;
        List<EndToEndBench.Started> suspended = new ArrayList<>();
        for (EndToEndBench.Started s : started) {
            if (awaitSuspended(s.runId())) {
                suspended.add(s);
            } else {
                failed++;
            }
        }
        // Signals and baseline triggers in turn, open-loop, each from its own thread: both meet the same machine.
        List<EndToEndBench.Started> signalled = new CopyOnWriteArrayList<>();
        List<EndToEndBench.Started> triggered = new CopyOnWriteArrayList<>();
        AtomicInteger errors = new AtomicInteger();
        long interval = (long) (1e9 / rate);
        long t0 = System.nanoTime();
        try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 2 * suspended.size(); i++) {
                long wait = t0 + i * interval - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                int k = i;
                senders.submit(() -> {
                    try {
                        if (k % 2 == 0) {
                            signalled.add(signal(waiting, suspended.get(k / 2).runId()));
                        } else {
                            triggered.add(e2e.start(baseline));
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                });
            }
        }
        if (errors.get() > 0) {
            throw new IllegalStateException(errors.get() + " signals or triggers failed");
        }
        List<Double> latency = new ArrayList<>();
        List<Double> answer = new ArrayList<>();
        for (EndToEndBench.Started s : signalled) {
            answer.add(Duration.between(s.sentAt(), s.answeredAt()).toNanos() / 1e6);
            Map<String, AttributeValue> item = e2e.awaitCompleted(s.runId());
            if (item == null) {
                failed++;
                continue;
            }
            latency.add(Duration.between(s.sentAt(), Instant.parse(item.get("completed_at").s())).toNanos() / 1e6);
        }
        List<Double> base = new ArrayList<>();
        for (EndToEndBench.Started s : triggered) {
            Map<String, AttributeValue> item = e2e.awaitCompleted(s.runId());
            if (item == null) {
                failed++;
                continue;
            }
            base.add(Duration.between(s.sentAt(), Instant.parse(item.get("completed_at").s())).toNanos() / 1e6);
        }
        return new Signals(runs, Stats.of(latency), Stats.of(answer), Stats.of(base), failed);
    }

    /**
     * One {@link Delays} per delay, their runs started interleaved (one of each in turn) open-loop at {@code rate}:
     * all meet the same machine, and their due times spread over {@code runs × delays / rate} seconds as
     * independent callers' would.
     */
    List<Delays> delays(int runs, double rate, List<String> delays) throws Exception {
        long[] workflows = new long[delays.size()];
        for (int k = 0; k < workflows.length; k++) {
            workflows[k] = e2e.publish(DELAY_THEN_TRANSFORM.formatted(delays.get(k)));
        }
        List<List<EndToEndBench.Started>> started = new ArrayList<>();
        for (int k = 0; k < workflows.length; k++) {
            started.add(new CopyOnWriteArrayList<>());
        }
        AtomicInteger errors = new AtomicInteger();
        long interval = (long) (1e9 / rate);
        long t0 = System.nanoTime();
        try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < runs * workflows.length; i++) {
                long wait = t0 + i * interval - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                int k = i % workflows.length;
                senders.submit(() -> {
                    try {
                        started.get(k).add(e2e.start(workflows[k]));
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                });
            }
        }
        if (errors.get() > 0) {
            throw new IllegalStateException(errors.get() + " triggers failed");
        }
        List<Delays> results = new ArrayList<>();
        for (int k = 0; k < workflows.length; k++) {
            List<Double> step = new ArrayList<>();
            List<Double> run = new ArrayList<>();
            int failed = 0;
            for (EndToEndBench.Started s : started.get(k)) {
                Map<String, AttributeValue> item = e2e.awaitCompleted(s.runId());
                if (item == null) {
                    failed++;
                    continue;
                }
                double[] lateness = lateness(JSON.readTree(item.get("steps").s()).get(0), item.get("completed_at").s());
                step.add(lateness[0]);
                run.add(lateness[1]);
            }
            results.add(new Delays(runs, delays.get(k), Stats.of(step), Stats.of(run), failed));
        }
        return results;
    }

    /**
     * A completed delay step's lateness, ms: its {@code completed_at} − its {@code waited_until} (the due time it
     * computed: its start + the duration), and the run's {@code completed_at} − the same.
     */
    static double[] lateness(JsonNode delayStep, String runCompletedAt) {
        JsonNode due = delayStep.path("output").path("waited_until");
        if (!due.isTextual() || !delayStep.path("completed_at").isTextual()) {
            throw new IllegalStateException("not a completed delay step: " + delayStep);
        }
        Instant until = Instant.parse(due.asText());
        return new double[]{
            Duration.between(until, Instant.parse(delayStep.get("completed_at").asText())).toNanos() / 1e6,
            Duration.between(until, Instant.parse(runCompletedAt)).toNanos() / 1e6};
    }

    Waits waits(int runs, List<Integer> pollIntervals) throws Exception {
        long workflow = e2e.publish(BenchStack.THREE_STEPS);
        e2e.warmUp(workflow, 50);
        List<Integer> modes = new ArrayList<>();
        modes.add(POST_ONLY);  // the floor: what the run costs when nobody waits for it
        modes.add(0);  // 0: Prefer: wait
        modes.addAll(pollIntervals);
        for (int mode : modes) {  // every way warm before anything is counted, and nothing left running
            for (int i = 0; i < 10; i++) {
                Terminal t = terminal(workflow, mode);
                if (t != null) {
                    e2e.awaitCompleted(t.runId());
                }
            }
        }
        Thread.sleep(300);
        Map<Integer, List<Double>> caller = new LinkedHashMap<>();
        Map<Integer, long[]> requests = new LinkedHashMap<>();
        Map<Integer, Map<String, Ledger.Line>> reads = new LinkedHashMap<>();
        Map<Integer, Integer> failed = new LinkedHashMap<>();
        for (int mode : modes) {
            caller.put(mode, new ArrayList<>());
            requests.put(mode, new long[1]);
            reads.put(mode, new LinkedHashMap<>());
            failed.put(mode, 0);
        }
        // Alternating blocks, one run at a time: the ledger is the whole JVM's, so only one mode may run while it
        // is open; the pause before closing lets each block's stream-function work be booked to that block.
        int block = Math.max(1, Math.min(25, runs / 4));
        for (int done = 0; done < runs; done += block) {
            for (int mode : modes) {
                CostMeter.open();
                for (int i = done; i < Math.min(runs, done + block); i++) {
                    Terminal t = terminal(workflow, mode);
                    // Every mode's run finished before the next starts, and none of its cost left out: the bench's
                    // own reads to learn that are not booked.
                    if (t == null || CostMeter.unmetered(() -> e2e.awaitCompleted(t.runId())) == null) {
                        failed.merge(mode, 1, Integer::sum);
                        continue;
                    }
                    caller.get(mode).add(t.ms());
                    requests.get(mode)[0] += t.requests();
                }
                Thread.sleep(300);
                Ledger ledger = CostMeter.close();
                ledger.lines().forEach((k, v) -> reads.get(mode).merge(k, v, PathsBench::plus));
            }
        }
        List<WaitMode> results = new ArrayList<>();
        for (int mode : modes) {
            int n = runs;
            Map<String, Double> calls = new java.util.TreeMap<>();
            double readCalls = 0;
            double readUnits = 0;
            double all = 0;
            for (var e : reads.get(mode).entrySet()) {
                if (!e.getKey().startsWith("DynamoDb:")) {
                    continue;
                }
                String op = e.getKey().substring("DynamoDb:".length());
                calls.put(op, e.getValue().calls() / (double) n);
                all += e.getValue().calls();
                if (READS.contains(op)) {
                    readCalls += e.getValue().calls();
                    readUnits += e.getValue().capacityUnits();
                }
            }
            String name = mode == POST_ONLY ? "post-only" : mode == 0 ? "prefer-wait" : "poll";
            results.add(new WaitMode(name, mode, n, Stats.of(caller.get(mode)),
                    requests.get(mode)[0] / (double) n, readCalls / n, readUnits / n, all / n, calls, failed.get(mode)));
        }
        return new Waits(runs, PREFER_WAIT_SECONDS, results);
    }

    private static Ledger.Line plus(Ledger.Line a, Ledger.Line b) {
        return new Ledger.Line(a.calls() + b.calls(), a.billableRequests() + b.billableRequests(),
                a.capacityUnits() + b.capacityUnits(), a.messages() + b.messages(), a.failures() + b.failures());
    }

    /** A run's answer: ms from before its POST to the caller holding it (terminal unless {@link #POST_ONLY}). */
    record Terminal(long runId, double ms, int requests) {
    }

    /** The POST alone, answered when the run is stored: the floor the other modes' reads are compared with. */
    static final int POST_ONLY = -1;

    /**
     * One run from its POST to the caller holding a terminal answer: {@code pollMs} 0 asks the POST to wait
     * ({@code Prefer: wait}), {@link #POST_ONLY} only POSTs; otherwise the caller GETs the run every {@code pollMs}.
     * Null if it did not complete.
     */
    Terminal terminal(long workflow, int pollMs) throws Exception {
        long sent = System.nanoTime();
        Map<String, String> headers = pollMs == 0 ? Map.of("Prefer", "wait=" + PREFER_WAIT_SECONDS) : Map.of();
        HttpResponse<String> posted = send("POST", BenchStack.runsPath(workflow), BenchStack.RUN_BODY, headers, 201);
        JsonNode run = JSON.readTree(posted.body()).get("workflow_run");
        int requests = 1;
        long runId = run.get("id").asLong();
        if (pollMs == POST_ONLY) {
            return new Terminal(runId, (System.nanoTime() - sent) / 1e6, requests);
        }
        String status = run.get("status").asText();
        String url = BenchStack.runsPath(workflow) + "/" + runId;
        while (!terminal(status)) {
            if (pollMs == 0 || System.nanoTime() - sent > 30e9) {
                return null;  // a wait that came back unsettled, or a poll that gave up
            }
            Thread.sleep(pollMs);
            status = JSON.readTree(send("GET", url, null, Map.of(), 200).body()).get("workflow_run").get("status").asText();
            requests++;
        }
        double ms = (System.nanoTime() - sent) / 1e6;
        return "completed".equals(status) ? new Terminal(runId, ms, requests) : null;
    }

    private static boolean terminal(String status) {
        return status.equals("completed") || status.equals("failed");
    }

    /** Sends a run's signal; the instants are the client's, before its POST and after the 202. */
    EndToEndBench.Started signal(long workflow, long runId) throws Exception {
        Instant sent = Instant.now();
        send("POST", BenchStack.runsPath(workflow) + "/" + runId + "/signals", SIGNAL_BODY, Map.of(), 202);
        return new EndToEndBench.Started(runId, sent, Instant.now());
    }

    /** Waits (consistent reads of the run item) until the run is suspended waiting for its signal. */
    boolean awaitSuspended(long runId) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            Map<String, AttributeValue> item = dynamo.getItem(GetItemRequest.builder().tableName(table)
                    .key(Map.of("pk", AttributeValue.fromS("RUN#" + runId), "sk", AttributeValue.fromS("RUN")))
                    .consistentRead(true).build()).item();
            if (item != null && "suspended".equals(item.get("status").s()) && item.containsKey("wait_signal")) {
                return true;
            }
            if (item != null && item.containsKey("completed_at")) {
                return false;
            }
            Thread.sleep(20);
        }
        return false;
    }

    HttpResponse<String> send(String method, String path, String body, Map<String, String> headers, int expected)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stack.baseUrl() + path))
                .header("Authorization", "Bearer " + stack.apiToken()).timeout(Duration.ofSeconds(30));
        headers.forEach(request::header);
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
        return response;
    }
}
