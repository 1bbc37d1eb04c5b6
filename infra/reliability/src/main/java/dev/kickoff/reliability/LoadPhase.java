package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Load: the local stack's sustained trigger rate, every shape mixed (runs of four shapes, cases) over several tokens,
 * stepped up until the first error or a p99 over 1 s; the latency curve on the way; every run accepted must then
 * finish right. And the execute limiter exact under concurrency: of 3×L concurrent requests per token in one window,
 * exactly L pass, the rest are 429 with Retry-After.
 */
final class LoadPhase {
    static final String PHASE = "load";

    private final Suite suite;
    private final Stack stack;

    LoadPhase(Suite suite, Stack stack) {
        this.suite = suite;
        this.stack = stack;
    }

    /** One step of the curve. */
    record Step(int rate, int sent, int ok, int errors, double achieved, Stats latency, String firstError) {
    }

    void run() throws Exception {
        Report report = suite.report();
        Http http = new Http(stack.baseUrl(), Duration.ofSeconds(30));
        Stack.Org org = stack.createOrg("load", 100_000);
        Secrets.add(org.manageToken(), "load org manage token");
        Secrets.add(org.apiToken(), "load org api token");
        List<String> tokens = new ArrayList<>(List.of(org.apiToken()));
        for (int i = 1; i < 8; i++) {
            JsonNode t = http.expect(201, "POST", "/api/manage/v1/tokens", org.manageToken(),
                    "{\"name\":\"load-" + i + "\",\"scope\":\"api\"}");
            Secrets.collect(t, "load token");
            tokens.add(t.path("secret").asText());
        }
        Workflows.Set set = Workflows.publishAll(http, org.id(), org.manageToken(), "http://127.0.0.1:1/none");
        List<Integer> rates = suite.quick() ? List.of(5, 10, 15, 20, 30, 40, 60, 80)
                : List.of(5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 100, 120, 150, 200);
        Duration hold = Duration.ofSeconds(suite.quick() ? 5 : 15);
        int maxJobs = rates.stream().mapToInt(r -> (int) (r * hold.toSeconds())).sum();
        List<Workflows.Kind> kinds = List.of(Workflows.Kind.ORDER, Workflows.Kind.CHAIN, Workflows.Kind.FAILING);
        List<Workload.Outcome> outcomes = Workload.outcomes(Workload.jobs("load" + suite.seed(), maxJobs, set,
                suite.seed(PHASE), kinds, 0.1, 0.2, tokens.size()));
        List<Step> steps = new ArrayList<>();
        int next = 0;
        Instant loadStart = Instant.now();
        for (int rate : rates) {
            int count = (int) (rate * hold.toSeconds());
            Step step = step(http, org, tokens, outcomes.subList(next, next + count), rate);
            next += count;
            steps.add(step);
            System.out.printf("load: %d/s offered, %.1f/s achieved, p50 %.0f ms, p99 %.0f ms, %d errors%n", rate,
                    step.achieved(), step.latency().median(), step.latency().percentile(99), step.errors());
            if (step.errors() > 0 || step.latency().percentile(99) > 1000) {
                break;
            }
        }
        List<Workload.Outcome> sent = outcomes.subList(0, next);
        long drainStart = System.nanoTime();
        awaitDrained(sent, org.id(), Duration.ofMinutes(suite.quick() ? 5 : 10));
        Duration drain = Duration.ofNanos(System.nanoTime() - drainStart);
        Workload.Verification v;
        try (Table table = new Table(stack)) {
            v = Workload.verify(sent.stream().filter(Workload.Outcome::accepted).toList(), table);
        }
        Step sustained = null;
        for (Step s : steps) {
            if (s.errors() == 0 && s.latency().percentile(99) <= 1000) {
                sustained = s;
            }
        }
        report.measure(PHASE, "sustained trigger rate (no error, p99 ≤ 1 s), requests/s", sustained == null ? "below "
                + rates.getFirst() : Report.fmt(sustained.achieved(), 1), "offered " + (sustained == null ? "-" : sustained.rate())
                + "/s for " + hold.toSeconds() + " s; 4 trigger shapes and cases mixed over 8 tokens");
        if (sustained != null) {
            report.measure(PHASE, "at that rate: p50 / p99 latency, ms", Report.fmt(sustained.latency().median(), 0) + " / "
                    + Report.fmt(sustained.latency().percentile(99), 0), null);
        }
        Step last = steps.getLast();
        report.measure(PHASE, "stopped at", last.rate() + "/s: " + (last.errors() > 0 ? last.errors() + " errors"
                : last.latency().percentile(99) > 1000 ? "p99 " + Report.fmt(last.latency().percentile(99), 0) + " ms" : "end of steps"),
                last.firstError());
        report.measure(PHASE, "runs accepted under load, finished after the last step in, s",
                sent.stream().filter(Workload.Outcome::accepted).count() + " in " + drain.toSeconds(), null);
        report.zero(PHASE, "runs accepted under load lost or unfinished", v.lost.size() + v.stuck.size(),
                concat(v.lost, v.stuck));
        report.zero(PHASE, "runs finished wrong under load", v.wrong.size(), v.wrong);
        report.zero(PHASE, "requests under load that made two runs", v.duplicates.size(), v.duplicates);
        StringBuilder md = new StringBuilder("Open-loop: requests go out at the offered rate whatever the answers, ")
                .append("each step held ").append(hold.toSeconds()).append(" s, started ")
                .append(loadStart.atOffset(ZoneOffset.UTC).toLocalTime().withNano(0)).append(" UTC. Mix: the four trigger ")
                .append("shapes and seed 001's case POST (about a fifth), three workflows (order total, a three-step ")
                .append("chain, a failing one), 10 % with idempotency keys, over 8 API tokens. Latency is the client's, ")
                .append("from send to the whole answer.\n\n")
                .append("| offered/s | sent | 2xx | errors | achieved/s | p50 ms | p90 ms | p99 ms | max ms |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Step s : steps) {
            md.append("| ").append(s.rate()).append(" | ").append(s.sent()).append(" | ").append(s.ok()).append(" | ")
                    .append(s.errors()).append(" | ").append(Report.fmt(s.achieved(), 1)).append(" | ")
                    .append(Report.fmt(s.latency().median(), 0)).append(" | ").append(Report.fmt(s.latency().percentile(90), 0))
                    .append(" | ").append(Report.fmt(s.latency().percentile(99), 0)).append(" | ")
                    .append(Report.fmt(s.latency().max(), 0)).append(" |\n");
        }
        md.append("\nThe worker, stream and delivery functions run in the same process and on the same two cores as the API, ")
                .append("so the rate is the whole stack's, not the API's alone; on AWS each function scales on its own.\n");
        report.section("Load", md.toString());
        limiter(report, http);
    }

    private Step step(Http http, Stack.Org org, List<String> tokens, List<Workload.Outcome> batch, int rate) throws Exception {
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger errors = new AtomicInteger();
        List<String> firstError = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < batch.size(); i++) {
            long due = start + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            Workload.Outcome o = batch.get(i);
            Workload.Job job = o.job;
            String key = job.keyInBody() ? null : job.key();
            HttpRequest request = http.request("POST", job.shape().path(org.id(), job.workflowId()), null,
                    job.shape().body(job.input(), job.tag(), job.keyInBody() ? job.key() : null),
                    job.shape().headers(tokens.get(job.token()), key));
            inFlight.add(http.sendAsync(request).thenAccept(a -> {
                o.answers.add(a);
                latencies.add(a.millis());
                if (a.ok()) {
                    o.id = job.shape().id(a.json());
                    ok.incrementAndGet();
                } else {
                    errors.incrementAndGet();
                    o.refused = a.status() >= 400 && a.status() < 500;
                    if (firstError.isEmpty()) {
                        firstError.add(job.shape() + " " + a);
                    }
                }
            }));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (CompletableFuture<Void> f : inFlight) {
            f.get(5, TimeUnit.MINUTES);
        }
        return new Step(rate, batch.size(), ok.get(), errors.get(), ok.get() / Math.max(seconds, 1e-9),
                new Stats(latencies), firstError.isEmpty() ? null : firstError.getFirst());
    }

    /** Until every accepted run (and case run) of the organization is finished, as the table says. */
    private void awaitDrained(List<Workload.Outcome> sent, long org, Duration deadline) {
        long limit = System.nanoTime() + deadline.toNanos();
        Set<String> tags = sent.stream().map(o -> o.job.tag()).collect(Collectors.toSet());
        try (Table table = new Table(stack)) {
            while (System.nanoTime() < limit) {
                long open = table.runs().stream().filter(r -> r.orgId() == org && tags.contains(r.tag()) && !r.terminal()).count();
                if (open == 0) {
                    return;
                }
                Workload.sleep(2000);
            }
        }
    }

    /**
     * The limiter, exactly: an organization whose tokens may make L execute requests a minute; per token, 3×L
     * requests at once, over the four trigger shapes, from 24 threads, inside one window.
     */
    private void limiter(Report report, Http http) throws Exception {
        int limit = suite.options().size(30, 100);
        Stack.Org org = stack.createOrg("limiter", limit);
        Secrets.add(org.manageToken(), "limiter org manage token");
        Secrets.add(org.apiToken(), "limiter org api token");
        List<String> tokens = new ArrayList<>(List.of(org.apiToken()));
        for (int i = 1; i < 3; i++) {
            JsonNode t = http.expect(201, "POST", "/api/manage/v1/tokens", org.manageToken(),
                    "{\"name\":\"lim-" + i + "\",\"scope\":\"api\"}");
            Secrets.collect(t, "limiter token");
            tokens.add(t.path("secret").asText());
        }
        long workflow = http.expect(201, "POST", "/api/manage/v1/workflows", org.manageToken(), Fixtures.OPEN)
                .path("workflow").path("id").asLong();
        http.expect(200, "POST", "/api/manage/v1/workflows/" + workflow + "/publish", org.manageToken(), null);
        // One window (windows are aligned to the minute): the burst starts in a minute's first 10 s. On a loaded machine
        // 270 requests have outlasted the rest of a minute (seed 235402, load ~25); a burst that crossed a boundary is
        // sent again, in a later window, with new tokens (the crossed window's counts are spent), up to 3 times.
        Map<String, List<Http.Answer>> answers = new ConcurrentHashMap<>();
        boolean oneWindow = false;
        int attempts = 0;
        while (!oneWindow && attempts < 3) {
            attempts++;
            if (attempts > 1) {
                for (int i = 0; i < tokens.size(); i++) {
                    JsonNode t = http.expect(201, "POST", "/api/manage/v1/tokens", org.manageToken(),
                            "{\"name\":\"lim-" + attempts + "-" + i + "\",\"scope\":\"api\"}");
                    Secrets.collect(t, "limiter token");
                    tokens.set(i, t.path("secret").asText());
                }
            }
            while (Instant.now().atOffset(ZoneOffset.UTC).getSecond() > 10) {
                Workload.sleep(250);
            }
            answers = new ConcurrentHashMap<>();
            long windowStart = Instant.now().getEpochSecond() / 60;
            burst(http, org.id(), workflow, tokens, limit, answers);
            oneWindow = Instant.now().getEpochSecond() / 60 == windowStart;
        }
        List<String> inexact = new ArrayList<>();
        List<String> bad429 = new ArrayList<>();
        Map<String, Integer> passed = new TreeMap<>();
        for (int t = 0; t < tokens.size(); t++) {
            List<Http.Answer> list = answers.getOrDefault(tokens.get(t), List.of());
            int ok = 0;
            Map<String, Integer> remaining = new HashMap<>();
            for (Http.Answer a : list) {
                if (a.ok()) {
                    ok++;
                    remaining.merge(String.valueOf(a.header("RateLimit-Remaining")), 1, Integer::sum);
                } else if (a.status() == 429) {
                    if (a.header("Retry-After") == null || a.header("RateLimit-Limit") == null) {
                        bad429.add("token " + t + ": 429 without Retry-After/RateLimit-Limit: " + a);
                    }
                } else {
                    inexact.add("token " + t + ": neither 2xx nor 429: " + a);
                }
            }
            passed.put("token " + (t + 1), ok);
            if (ok != limit) {
                inexact.add("token " + (t + 1) + ": " + ok + " of " + list.size() + " passed, the limit is " + limit);
            }
            for (int r = 0; r < limit && ok == limit; r++) {
                if (remaining.getOrDefault(Integer.toString(r), 0) != 1) {
                    inexact.add("token " + (t + 1) + ": RateLimit-Remaining " + r + " answered " + remaining.getOrDefault(
                            Integer.toString(r), 0) + " times (each value once: " + remaining + ")");
                    break;
                }
            }
        }
        report.check(PHASE, "limiter burst stayed inside one window", (oneWindow ? "yes" : "no") + " (attempt " + attempts + ")",
                oneWindow, oneWindow ? null : "every burst crossed a minute boundary (the machine is too slow for "
                        + 3 * limit * tokens.size() + " requests in 50 s): run again");
        report.zero(PHASE, "limiter inexact (passed ≠ limit, or Remaining repeated)", inexact.size(), inexact);
        report.zero(PHASE, "429 answers without Retry-After or RateLimit headers", bad429.size(), bad429);
        report.measure(PHASE, "limiter: passed per token (limit " + limit + "/min, " + 3 * limit + " sent each at once)",
                passed.values().stream().map(String::valueOf).collect(Collectors.joining(", ")), "24 threads, 4 shapes");
    }

    /** Per token, 3×L execute requests at once, over the four trigger shapes, from 24 threads. */
    private static void burst(Http http, long orgId, long workflow, List<String> tokens, int limit,
                              Map<String, List<Http.Answer>> answers) throws InterruptedException {
        List<Shape> shapes = List.of(Shape.CANONICAL, Shape.V1, Shape.WORKSPACE, Shape.MINIMAL);
        ExecutorService pool = Executors.newFixedThreadPool(24);
        for (String token : tokens) {
            for (int i = 0; i < 3 * limit; i++) {
                Shape shape = shapes.get(i % shapes.size());
                pool.submit(() -> answers.computeIfAbsent(token, k -> Collections.synchronizedList(new ArrayList<>()))
                        .add(shape.send(http, orgId, workflow, token, Json.object(), "lim", null, false)));
            }
        }
        pool.shutdown();
        pool.awaitTermination(5, TimeUnit.MINUTES);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
