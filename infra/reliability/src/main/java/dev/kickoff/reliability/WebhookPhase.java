package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Webhook receivers that fail: one subscription per receiver — healthy, failing half its requests with a 5xx,
 * hanging past Kickoff's 10 s timeout, and down (connection refused) for the whole test and then back. Every event must
 * reach every receiver with a valid Standard Webhooks signature and one webhook-id across its retries, the retries
 * must come no earlier than the schedule says, and the healthy receiver must not wait for the others (no stream
 * shard or queue blocked by a bad endpoint).
 */
final class WebhookPhase {
    static final String PHASE = "webhooks";
    /** The retry schedule the suite's main stack runs with (README: {@code KICKOFF_WEBHOOK_RETRY_SCHEDULE}). */
    static final String SCHEDULE = "0s,1s,2s,4s,8s,16s,32s,64s";
    static final List<Duration> DELAYS = List.of(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(16), Duration.ofSeconds(32), Duration.ofSeconds(64));
    /** How early an attempt may come against the schedule (queue delays are whole seconds). */
    static final Duration TOLERANCE = Duration.ofMillis(500);
    /** The flaky receiver answers 2xx from this attempt on: the schedule's 5th, 15 s after the first. */
    static final int FLAKY_GUARANTEED = 5;

    private final Suite suite;
    private final Stack stack;

    WebhookPhase(Suite suite, Stack stack) {
        this.suite = suite;
        this.stack = stack;
    }

    void run() throws Exception {
        Report report = suite.report();
        Http http = new Http(stack.baseUrl());
        Stack.Org org = stack.createOrg("webhooks", 100_000);
        Secrets.add(org.manageToken(), "webhooks org manage token");
        Secrets.add(org.apiToken(), "webhooks org api token");
        long seed = suite.seed(PHASE);
        Map<String, Receiver> receivers = new LinkedHashMap<>();
        receivers.put("healthy", Receiver.ok("healthy"));
        receivers.put("flaky", new Receiver("flaky", Receiver.Mode.FLAKY, seed, Duration.ZERO, FLAKY_GUARANTEED));
        receivers.put("hanging", new Receiver("hanging", Receiver.Mode.HANG, seed, Duration.ofSeconds(13), 1));
        receivers.put("down", new Receiver("down", Receiver.Mode.DOWN, seed, Duration.ZERO, 1));
        Map<String, Long> webhookIds = new HashMap<>();
        try {
            for (Receiver r : receivers.values()) {
                JsonNode sub = http.expect(201, "POST", "/api/manage/v1/webhooks", org.manageToken(), "{\"url\": \"" + r.url()
                        + "\", \"events\": [\"run.completed\", \"run.failed\", \"case.created\", \"case.status_changed\"]}");
                Secrets.collect(sub, "webhook secret (" + r.name + ")");
                r.secret(sub.path("secret").asText());
                webhookIds.put(r.name, sub.path("webhook").path("id").asLong());
            }
            Workflows.Set set = Workflows.publishAll(http, org.id(), org.manageToken(), "http://127.0.0.1:1/none");
            int n = suite.options().size(16, 60);
            String prefix = "hooks" + suite.seed();
            List<Workflows.Kind> kinds = List.of(Workflows.Kind.ORDER, Workflows.Kind.FAILING);
            List<Workload.Outcome> outcomes = Workload.outcomes(Workload.jobs(prefix, n, set, seed, kinds, 0, 0.3, 1));
            Instant started = Instant.now();
            ExecutorService clients = Executors.newFixedThreadPool(4);
            for (Workload.Outcome o : outcomes) {
                clients.submit(() -> Workload.submit(o, http, org.id(), List.of(org.apiToken()), 0, () -> false));
            }
            clients.shutdown();
            clients.awaitTermination(5, TimeUnit.MINUTES);
            Workload.awaitTerminal(outcomes, http, org.apiToken(), Duration.ofMinutes(3));
            report.zero(PHASE, "runs not accepted or not finished", outcomes.stream()
                    .filter(o -> !o.accepted() || !o.terminal()).count(), outcomes.stream()
                    .filter(o -> !o.accepted() || !o.terminal()).map(o -> o.job.tag() + " " + o.last()).toList());

            Set<String> expected;
            try (Table table = new Table(stack)) {
                Set<String> tags = outcomes.stream().map(o -> o.job.tag()).collect(Collectors.toSet());
                expected = Effects.expected(table.runs().stream().filter(r -> tags.contains(r.tag())).toList(),
                        table.cases().stream().filter(c -> tags.contains(c.tag())).toList());
            }
            // Everyone but the down receiver, while it is still down.
            Map<String, Effects.Check> checks = new LinkedHashMap<>();
            for (String name : List.of("healthy", "flaky", "hanging")) {
                checks.put(name, Effects.await(() -> expected, receivers.get(name), List.of(), Duration.ofMinutes(3)));
            }
            Instant healthyDone = Instant.now();
            int blocked = checks.get("healthy").missing().size();
            report.zero(PHASE, "events the healthy endpoint waited for (blocked)", blocked, checks.get("healthy").missing());
            Duration downFor = Duration.between(started, Instant.now());
            receivers.get("down").up();
            checks.put("down", Effects.await(() -> expected, receivers.get("down"), List.of(), Duration.ofMinutes(3)));

            report.measure(PHASE, "events per endpoint (runs, case changes)", Integer.toString(expected.size()),
                    n + " requests; schedule " + SCHEDULE);
            for (var e : checks.entrySet()) {
                Effects.Check c = e.getValue();
                report.zero(PHASE, "events not delivered to the " + e.getKey() + " endpoint", c.missing().size(), c.missing());
                report.zero(PHASE, "invalid signatures at the " + e.getKey() + " endpoint", c.invalidSignatures().size(),
                        c.invalidSignatures());
                report.zero(PHASE, "changes sent as two events to the " + e.getKey() + " endpoint", c.duplicated().size(),
                        c.duplicated());
                report.zero(PHASE, "deliveries received again after a 2xx (" + e.getKey() + ")",
                        c.repeatedOutsideCrash().size(), c.repeatedOutsideCrash());
            }
            identityAndOrder(report, receivers);
            deliveryLog(report, http, org.manageToken(), webhookIds, receivers);

            List<Receiver.Reception> flaky = receivers.get("flaky").receptions();
            long failures = flaky.stream().filter(r -> !r.succeeded()).count();
            report.measure(PHASE, "flaky endpoint: requests answered 5xx", failures + " / " + flaky.size(),
                    "seeded, half of each delivery's first " + (FLAKY_GUARANTEED - 1) + " attempts");
            long hangs = receivers.get("hanging").receptions().stream().filter(r -> r.attemptHere() == 1).count();
            report.measure(PHASE, "hanging endpoint: attempts that timed out", Long.toString(hangs),
                    "each delivery's first attempt hangs 13 s, past the 10 s timeout");
            report.measure(PHASE, "down endpoint: down for, s", Long.toString(downFor.toSeconds()),
                    "connection refused until every other endpoint had every event");
            List<Double> latency = new ArrayList<>();
            for (Receiver.Reception r : receivers.get("healthy").receptions()) {
                if (r.createdAt() != null) {
                    latency.add((double) Duration.between(Instant.parse(r.createdAt()), r.at()).toMillis());
                }
            }
            Stats l = new Stats(latency);
            report.measure(PHASE, "healthy endpoint: event → received, ms (median / max)", Report.fmt(l.median(), 0)
                    + " / " + Report.fmt(l.max(), 0), "from the event's created_at (whole seconds) to its arrival");
            if (l.median() > 10_000) {
                report.known(new Report.Known("A hanging endpoint delays other endpoints' deliveries on the local stack",
                        "runs whose events go to a healthy, a flaky, a hanging (13 s) and a down endpoint",
                        "the healthy endpoint got its events " + Report.fmt(l.median() / 1000, 0) + " s (median) and "
                                + Report.fmt(l.max() / 1000, 0) + " s (max) after they were made; every one arrived",
                        "a healthy endpoint's events within a second or two: DeliveryWorker runs a batch's messages "
                                + "concurrently, but its SQS poller takes no new batch until the batch's slowest attempt "
                                + "ends (10 s for a hanging endpoint); the local stack runs up to 8 pollers on the delivery "
                                + "queue (its ScalingConfig; 2 before seed 828337 held the healthy endpoint past the gate); on "
                                + "AWS, Lambda adds concurrent batches as the queue backs up, so the effect is smaller but the "
                                + "batch still waits for its slowest message",
                        "functions/delivery (DeliveryWorker); not changed here: the delivery handler is being rewritten"));
            }
            report.measure(PHASE, "healthy endpoint done after the others started failing, s",
                    Long.toString(Duration.between(started, healthyDone).toSeconds()), null);
        } finally {
            receivers.values().forEach(Receiver::close);
        }
    }

    /** One webhook-id per event and endpoint across retries; attempts in order and never before the schedule. */
    private void identityAndOrder(Report report, Map<String, Receiver> receivers) {
        List<String> twoIds = new ArrayList<>();
        List<String> early = new ArrayList<>();
        List<String> tooMany = new ArrayList<>();
        long lateMax = 0;
        int retries = 0;
        for (Receiver r : receivers.values()) {
            Map<String, Set<String>> idsByEvent = new HashMap<>();
            Map<String, List<Receiver.Reception>> byId = new LinkedHashMap<>();
            for (Receiver.Reception x : r.receptions()) {
                idsByEvent.computeIfAbsent(x.eventId(), k -> new TreeSet<>()).add(x.webhookId());
                byId.computeIfAbsent(x.webhookId(), k -> new ArrayList<>()).add(x);
            }
            idsByEvent.forEach((event, ids) -> {
                if (ids.size() > 1) {
                    twoIds.add(r.name + ": event " + event + " sent under " + ids);
                }
            });
            for (var e : byId.entrySet()) {
                List<Receiver.Reception> attempts = e.getValue();
                if (attempts.size() > DELAYS.size()) {
                    tooMany.add(r.name + " " + e.getKey() + ": " + attempts.size() + " attempts, the schedule has " + DELAYS.size());
                }
                for (int i = 1; i < attempts.size(); i++) {
                    retries++;
                    Duration gap = Duration.between(attempts.get(i - 1).at(), attempts.get(i).at());
                    // The attempt number Kickoff counts includes refused connections the receiver never saw (down):
                    // only consecutive receptions of an endpoint that was up are held to the schedule's step.
                    if (r.mode == Receiver.Mode.DOWN) {
                        continue;
                    }
                    Duration due = DELAYS.get(Math.min(i, DELAYS.size() - 1));
                    if (gap.plus(TOLERANCE).compareTo(due) < 0) {
                        early.add(r.name + " " + e.getKey() + ": attempt " + (i + 1) + " " + gap.toMillis()
                                + " ms after the previous, schedule says " + due.toMillis() + " ms");
                    }
                    if (r.mode == Receiver.Mode.FLAKY) {
                        lateMax = Math.max(lateMax, gap.minus(due).toMillis());
                    }
                }
            }
        }
        report.zero(PHASE, "events sent under two webhook-ids (must be one per retry)", twoIds.size(), twoIds);
        report.zero(PHASE, "retries earlier than the schedule", early.size(), early);
        report.zero(PHASE, "deliveries tried more often than the schedule allows", tooMany.size(), tooMany);
        report.measure(PHASE, "retries seen; latest retry after its due time, ms", retries + "; " + lateMax,
                "the due time counts from the previous attempt's start here, from its end in Kickoff");
    }

    /** The delivery log agrees: every delivery succeeded, with at least as many attempts as the receiver saw. */
    private void deliveryLog(Report report, Http http, String token, Map<String, Long> webhookIds,
                             Map<String, Receiver> receivers) {
        List<String> problems = new ArrayList<>();
        int deliveries = 0;
        for (var e : webhookIds.entrySet()) {
            Map<String, Integer> seen = new HashMap<>();
            receivers.get(e.getKey()).receptions().forEach(r -> seen.merge(r.webhookId(), 1, Integer::sum));
            String cursor = null;
            do {
                Http.Answer a = http.send("GET", "/api/manage/v1/webhooks/" + e.getValue() + "/deliveries?limit=100"
                        + (cursor == null ? "" : "&cursor=" + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8)),
                        token, null);
                if (!a.ok()) {
                    problems.add(e.getKey() + ": delivery log answered " + a);
                    break;
                }
                for (JsonNode d : a.json().path("deliveries")) {
                    deliveries++;
                    String id = d.path("id").asText();
                    int attempts = d.path("attempts").asInt();
                    if (!"succeeded".equals(d.path("status").asText())) {
                        problems.add(e.getKey() + " " + id + ": " + d.path("status").asText() + " after " + attempts
                                + " attempts, last " + d.path("last_error").asText(d.path("last_status_code").asText()));
                    } else if (attempts < seen.getOrDefault(id, 0)) {
                        problems.add(e.getKey() + " " + id + ": log says " + attempts + " attempts, the endpoint saw "
                                + seen.get(id));
                    }
                }
                cursor = a.json().path("next_cursor").isTextual() ? a.json().path("next_cursor").asText() : null;
            } while (cursor != null);
        }
        report.zero(PHASE, "delivery log: not succeeded, or fewer attempts than seen", problems.size(), problems);
        report.measure(PHASE, "deliveries in the log (4 endpoints)", Integer.toString(deliveries), null);
    }
}
