package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * Crash safety: a mixed workload (every shape, keys, case runs with {@code set_case} steps, an {@code http} step once
 * that exists) while the stack process is SIGKILLed at seeded random moments and started again on the same data.
 * Afterwards every request answered 2xx must have its run finished with the right output, none lost, none made twice;
 * a request that got no answer made nothing or a run that finished right; and no effect (a case change, a webhook
 * event, an http call) happened twice except in the window a crash leaves open.
 */
final class CrashPhase {
    static final String PHASE = "crash";

    /** One SIGKILL: when, how long the stack took to come back, what was unfinished at that moment. */
    record Kill(Instant at, long atNanos, Duration restart, List<Workload.Outcome> inFlight) {
    }

    private final Suite suite;
    private final Stack stack;
    private final AtomicBoolean up = new AtomicBoolean(true);

    CrashPhase(Suite suite, Stack stack) {
        this.suite = suite;
        this.stack = stack;
    }

    void run() throws Exception {
        Report report = suite.report();
        Random random = new Random(suite.seed(PHASE));
        Http http = new Http(stack.baseUrl(), Duration.ofSeconds(30));
        long org = stack.orgId();
        String manage = stack.manageToken();
        Secrets.add(stack.apiToken(), "first organization's api token (shown in the first-start banner)");
        Secrets.add(stack.manageToken(), "first organization's manage token (shown in the first-start banner)");
        Secrets.add(stack.invokeSecret(), "the local invocation secret");

        // Several tokens, as several clients; the limit raised so that 429s do not stand in for crashes.
        ObjectNode limit = Json.object();
        limit.put("action", "set-execute-rate-limit");
        limit.put("org_id", org);
        limit.put("per_minute", 100_000);
        stack.admin(limit);
        List<String> tokens = new ArrayList<>(List.of(stack.apiToken()));
        for (int i = 1; i <= 3; i++) {
            JsonNode t = http.expect(201, "POST", "/api/manage/v1/tokens", manage, "{\"name\":\"crash-" + i + "\",\"scope\":\"api\"}");
            Secrets.collect(t, "api token crash-" + i);
            tokens.add(t.path("secret").asText());
        }
        try (Receiver hooks = Receiver.ok("crash"); Counter counter = new Counter()) {
            JsonNode sub = http.expect(201, "POST", "/api/manage/v1/webhooks", manage, "{\"url\": \"" + hooks.url()
                    + "\", \"events\": [\"run.completed\", \"run.failed\", \"case.created\", \"case.status_changed\"]}");
            Secrets.collect(sub, "webhook secret (crash)");
            hooks.secret(sub.path("secret").asText());
            Workflows.Set set = Workflows.publishAll(http, org, manage, counter.url());
            set.unavailable().forEach(u -> report.measure(PHASE, "impure step kind not available yet", u.split(":")[0],
                    u.substring(u.indexOf(':') + 1).strip()));

            int n = suite.options().size(100, 1000);
            int kills = suite.options().size(2, 8);
            String prefix = "crash" + suite.seed();
            List<Workload.Job> jobs = Workload.jobs(prefix, n, set, suite.seed(PHASE), Workload.runKinds(set), 0.3, 0.25,
                    tokens.size());
            List<Workload.Outcome> outcomes = Workload.outcomes(jobs);
            List<Kill> killed = Collections.synchronizedList(new ArrayList<>());
            System.out.println("crash: " + n + " requests, " + kills + " SIGKILLs (seed " + suite.seed() + ")");

            AtomicBoolean running = new AtomicBoolean(true);
            Thread tracker = Thread.ofPlatform().daemon().name("crash-tracker").start(() -> {
                while (running.get()) {
                    if (up.get()) {
                        for (Workload.Outcome o : outcomes) {
                            if (o.accepted() && !o.terminal() && up.get()) {
                                Workload.poll(o, http, stack.apiToken());
                            }
                        }
                    }
                    Workload.sleep(300);
                }
            });

            double perSecond = suite.quick() ? 12 : 20;
            Thread killer = Thread.ofPlatform().name("crash-killer").start(() -> {
                try {
                    for (int k = 0; k < kills; k++) {
                        Workload.sleep((suite.quick() ? 2_000 : 3_000) + random.nextInt(suite.quick() ? 5_000 : 9_000));
                        List<Workload.Outcome> inFlight = outcomes.stream()
                                .filter(o -> o.accepted() && !o.terminal()).toList();
                        up.set(false);
                        Instant at = Instant.now();
                        long atNanos = System.nanoTime();
                        stack.kill();
                        System.out.println("crash: SIGKILL " + (k + 1) + "/" + kills + " with " + inFlight.size()
                                + " accepted runs/cases unfinished");
                        Duration restart = stack.start(Duration.ofMinutes(5));
                        killed.add(new Kill(at, atNanos, Duration.ofNanos(System.nanoTime() - atNanos), inFlight));
                        System.out.println("crash: stack back after " + restart.toMillis() + " ms");
                        up.set(true);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("the killer failed", e);
                } finally {
                    up.set(true);
                }
            });

            ExecutorService clients = Executors.newFixedThreadPool(6, Thread.ofPlatform().daemon().name("crash-client-", 0).factory());
            long start = System.nanoTime();
            for (int i = 0; i < outcomes.size(); i++) {
                long due = start + (long) (i / perSecond * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                waitUp(Duration.ofMinutes(6));
                Workload.Outcome o = outcomes.get(i);
                clients.submit(() -> {
                    waitUp(Duration.ofMinutes(6));  // a request queued behind slow ones goes out once the stack is up
                    Workload.submit(o, http, org, tokens, 6, () -> {
                        Workload.sleep(500);
                        return waitUp(Duration.ofMinutes(6));
                    });
                });
            }
            clients.shutdown();
            clients.awaitTermination(20, TimeUnit.MINUTES);
            killer.join();
            Duration submitted = Duration.ofNanos(System.nanoTime() - start);
            Workload.awaitTerminal(outcomes, http, stack.apiToken(), Duration.ofMinutes(suite.quick() ? 4 : 6));
            running.set(false);
            tracker.join();

            List<Instant> killTimes = killed.stream().map(Kill::at).toList();
            try (Table table = new Table(stack)) {
                Workload.Verification v = Workload.verify(outcomes, table);
                long accepted = outcomes.stream().filter(Workload.Outcome::accepted).count();
                long refused = outcomes.stream().filter(o -> o.refused).count();
                report.measure(PHASE, "requests (runs of 4 shapes, cases; 30 % of runs keyed)", Long.toString(n),
                        "sent over " + Report.minutes(submitted));
                report.measure(PHASE, "SIGKILLs of the stack process", Integer.toString(killed.size()), null);
                report.measure(PHASE, "answered 2xx", Long.toString(accepted), null);
                List<String> refusals = outcomes.stream().filter(o -> o.refused).map(o -> o.job.tag() + " " + o.last()).toList();
                report.zero(PHASE, "refused (4xx) although valid", refused, refusals);
                Map<String, Long> reasons = outcomes.stream().filter(Workload.Outcome::failed).collect(Collectors.groupingBy(
                        o -> o.last() == null ? "not sent" : o.last().status() < 0 ? o.last().failure().replaceAll("[0-9]+", "N")
                                : Integer.toString(o.last().status()), java.util.TreeMap::new, Collectors.counting()));
                report.measure(PHASE, "failed (no answer or 5xx, after keyed retries)", Integer.toString(v.failedRequests),
                        v.failedButCreated + " of them made a run or case (which must then finish right); last answers: "
                                + reasons);
                report.zero(PHASE, "2xx runs/cases lost (never stored)", v.lost.size(), v.lost);
                report.zero(PHASE, "2xx runs/cases not finished (deadline)", v.stuck.size(), v.stuck);
                report.zero(PHASE, "finished with a wrong status or output", v.wrong.size(), v.wrong);
                report.zero(PHASE, "requests that made two runs or cases", v.duplicates.size(), v.duplicates);
                report.zero(PHASE, "refused requests that made something", v.refusedButCreated.size(), v.refusedButCreated);

                Set<String> tags = outcomes.stream().map(o -> o.job.tag()).collect(Collectors.toSet());
                Effects.Check events = Effects.await(() -> {
                    List<Table.RunRow> runs = table.runs().stream().filter(r -> tags.contains(r.tag())).toList();
                    List<Table.CaseRow> cases = table.cases().stream().filter(c -> tags.contains(c.tag())).toList();
                    return Effects.expected(runs, cases);
                }, hooks, killTimes, Duration.ofMinutes(suite.quick() ? 4 : 6));
                effects(report, PHASE, events);
                counted(report, set, counter, outcomes, killTimes);
            }
            recovery(report, killed, outcomes);
        }
    }

    /** Blocks new requests while the stack is down, as a client with a circuit breaker would; false past the deadline. */
    private boolean waitUp(Duration deadline) {
        long limit = System.nanoTime() + deadline.toNanos();
        while (!up.get()) {
            if (System.nanoTime() > limit) {
                return false;
            }
            Workload.sleep(100);
        }
        return true;
    }

    static void effects(Report report, String phase, Effects.Check events) {
        report.measure(phase, "webhook events expected (runs finished, case changes)", Integer.toString(events.expected()), null);
        report.zero(phase, "events missing at the receiver", events.missing().size(), events.missing());
        report.zero(phase, "changes reported by two events (effect twice)", events.duplicated().size(), events.duplicated());
        report.zero(phase, "events for changes that did not happen", events.unexpected().size(), events.unexpected());
        report.zero(phase, "deliveries received twice with no crash between", events.repeatedOutsideCrash().size(),
                events.repeatedOutsideCrash());
        report.zero(phase, "invalid webhook signatures", events.invalidSignatures().size(), events.invalidSignatures());
        report.measure(phase, "deliveries repeated across a crash (allowed)", Integer.toString(events.repeatedInCrashWindows()),
                "README: a crash at the wrong moment can repeat an attempt, with the same webhook-id");
    }

    /** The http step's calls at the counter: each run's step once, a repeat only across a crash. */
    private static void counted(Report report, Workflows.Set set, Counter counter, List<Workload.Outcome> outcomes,
                                List<Instant> kills) {
        if (set.id(Workflows.Kind.HTTP_COUNTER) == null) {
            return;
        }
        Map<String, List<Counter.Hit>> byKey = new HashMap<>();
        counter.hits().forEach(h -> byKey.computeIfAbsent(h.idempotencyKey(), k -> new ArrayList<>()).add(h));
        List<String> outside = new ArrayList<>();
        int inWindows = 0;
        for (var e : byKey.entrySet()) {
            List<Counter.Hit> hits = e.getValue();
            for (int i = 1; i < hits.size(); i++) {
                Instant a = hits.getFirst().at();
                Instant b = hits.get(i).at();
                if (kills.stream().anyMatch(k -> k.isAfter(a) && k.isBefore(b))) {
                    inWindows++;
                } else {
                    outside.add(e.getKey() + " called " + hits.size() + " times");
                }
            }
        }
        long runs = outcomes.stream().filter(o -> o.accepted() && o.job.kind() == Workflows.Kind.HTTP_COUNTER).count();
        long keys = byKey.keySet().stream().filter(k -> k != null).count();
        report.check(PHASE, "http steps called (one per accepted run)", keys + " / " + runs, keys >= runs, null);
        report.zero(PHASE, "http steps called twice with no crash between", outside.size(), outside);
        report.measure(PHASE, "http steps called again across a crash (same key)", Integer.toString(inWindows), null);
    }

    private void recovery(Report report, List<Kill> kills, List<Workload.Outcome> outcomes) {
        StringBuilder md = new StringBuilder();
        md.append("Each kill is a SIGKILL of the stack process at a seeded random moment of the workload; the stack is ")
                .append("started again at once on the same port and data directory. *Restart*: from the kill to the new ")
                .append("process saying it is ready. *Recovery*: from the kill until the last run (or case) that was ")
                .append("accepted and unfinished at that moment was seen finished by a client polling every 0.3 s; ")
                .append("\"overlapped\" when a later kill came first.\n\n");
        md.append("| kill | unfinished runs / cases | restart, s | recovery of runs, s | recovery of cases, s |\n|---:|---:|---:|---:|---:|\n");
        List<Double> restarts = new ArrayList<>();
        List<Double> runRecoveries = new ArrayList<>();
        List<Double> caseRecoveries = new ArrayList<>();
        for (int i = 0; i < kills.size(); i++) {
            Kill k = kills.get(i);
            Long nextKill = i + 1 < kills.size() ? kills.get(i + 1).atNanos() : null;
            restarts.add(k.restart().toMillis() / 1000.0);
            String runs = recoveryOf(k, false, nextKill, runRecoveries);
            String cases = recoveryOf(k, true, nextKill, caseRecoveries);
            long r = k.inFlight().stream().filter(o -> !o.job.isCase()).count();
            md.append("| ").append(i + 1).append(" | ").append(r).append(" / ").append(k.inFlight().size() - r)
                    .append(" | ").append(Report.fmt(k.restart().toMillis() / 1000.0, 1)).append(" | ").append(runs)
                    .append(" | ").append(cases).append(" |\n");
        }
        Stats restart = new Stats(restarts);
        Stats runs = new Stats(runRecoveries);
        Stats cases = new Stats(caseRecoveries);
        report.measure(PHASE, "restart after SIGKILL, s (median / max)", Report.fmt(restart.median(), 1) + " / "
                + Report.fmt(restart.max(), 1), null);
        report.measure(PHASE, "recovery of runs after a kill, s (median / max)", runs.count() == 0 ? "n/a"
                : Report.fmt(runs.median(), 1) + " / " + Report.fmt(runs.max(), 1), null);
        report.measure(PHASE, "recovery of case runs after a kill, s (median / max)", cases.count() == 0 ? "n/a"
                : Report.fmt(cases.median(), 1) + " / " + Report.fmt(cases.max(), 1), null);
        md.append("\n**The 60 s lease.** A run in progress when its worker dies keeps its lease (60 s, ")
                .append("`KICKOFF_RUN_LEASE_SECONDS`) and is resumed only once it has expired: the start-up requeue puts ")
                .append("its message back at once, the worker finds the run leased by a worker that no longer exists and ")
                .append("hides the message until the lease ends. Plain runs (pure steps, no case) skip the claim on their ")
                .append("first delivery and hold no lease, so they recover as soon as the stack is up; case runs (and any ")
                .append("run with an impure step) wait out the rest of the lease, which is why their recovery is about ")
                .append("the restart plus up to 60 s. Should it shrink? On AWS the lease only has to outlive the worker's ")
                .append("invocation (a 30 s timeout): a lease of the function timeout plus a margin (about 35–40 s) would ")
                .append("be as safe and cut a crashed worker's wait by a third; locally, where every lease found at start-up ")
                .append("belongs to a process that no longer exists, the start-up requeue could release those leases and ")
                .append("make case runs recover as fast as plain ones. Both belong to the run lifecycle (core/engine), ")
                .append("which this suite does not change; the figures above are the baseline for that change.\n");
        report.section("Crash safety", md.toString());
    }

    private static String recoveryOf(Kill k, boolean cases, Long nextKill, List<Double> into) {
        List<Workload.Outcome> set = k.inFlight().stream().filter(o -> o.job.isCase() == cases).toList();
        if (set.isEmpty()) {
            return "–";
        }
        long last = 0;
        for (Workload.Outcome o : set) {
            if (!o.terminal()) {
                return "not finished";
            }
            last = Math.max(last, o.terminalAt);
        }
        double seconds = (last - k.atNanos()) / 1e9;
        boolean overlapped = nextKill != null && nextKill < last;
        if (!overlapped) {
            into.add(seconds);
        }
        return Report.fmt(seconds, 1) + (overlapped ? " (overlapped)" : "");
    }
}
