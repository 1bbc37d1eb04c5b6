package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Duplicate and reordered delivery: the same seeded workload on the main stack (each message delivered once) and on a
 * stack started with {@code KICKOFF_LOCAL_DELIVERY_CHAOS} (every SQS message and stream record delivered to the
 * deployed handler classes twice, in shuffled batches, half of the copies later, out of order). The results must be
 * identical: the same runs with the same outputs, the same cases in the same states, the same events, each delivered
 * once.
 */
final class DuplicatePhase {
    static final String PHASE = "duplicates";
    private static final Pattern SUMMARY = Pattern.compile(
            "delivery chaos: (\\d+) SQS messages and (\\d+) stream records delivered twice"
                    + " \\((\\d+) of the copies later\\), (\\d+) invocations");

    private final Suite suite;
    private final Stack main;
    private final Stack chaos;
    private final List<Stack> stacks;

    DuplicatePhase(Suite suite, Stack main, Stack chaos, List<Stack> stacks) {
        this.suite = suite;
        this.main = main;
        this.chaos = chaos;
        this.stacks = stacks;
    }

    /** What one stack made of the workload, by request tag, with every ID left out. */
    record Outcome(Map<String, String> byTag, Workload.Verification verification, Effects.Check events) {
    }

    void run() throws Exception {
        Report report = suite.report();
        Outcome once = workload(main, main.createOrg("once", 100_000));
        stacks.add(chaos);
        Duration started = chaos.start(Duration.ofMinutes(5));
        report.measure(PHASE, "chaos stack start, s", Report.fmt(started.toMillis() / 1000.0, 1), null);
        Outcome twice = workload(chaos, chaos.createOrg("twice", 100_000));
        // Read while the stack runs (it rewrites the file every second), then once more after it stopped (its close
        // writes the final counts): the log alone once lost the summary when the stack stopped within 30 s.
        String whileRunning = awaitSummary(chaos, Duration.ofSeconds(15));
        chaos.stop();
        String summary = readSummary(chaos);
        String why = null;
        if (summary == null) {
            summary = whileRunning;
        }
        if (summary == null) {
            summary = lastSummaryLogged(chaos);
        }
        if (summary == null) {
            why = "the chaos stack wrote no summary (" + chaos.dataDir.resolve(CHAOS_FILE) + " absent or unreadable, and"
                    + " no summary line in its log): was it started with KICKOFF_LOCAL_DELIVERY_CHAOS?";
        }

        Map<String, Outcome> both = new java.util.LinkedHashMap<>();
        both.put("single delivery", once);
        both.put("double delivery", twice);
        for (var e : both.entrySet()) {
            Workload.Verification v = e.getValue().verification();
            String where = " (" + e.getKey() + ")";
            report.zero(PHASE, "runs/cases lost, unfinished or wrong" + where, v.lost.size() + v.stuck.size() + v.wrong.size(),
                    concat(v.lost, v.stuck, v.wrong));
            report.zero(PHASE, "requests that made two runs or cases" + where, v.duplicates.size(), v.duplicates);
            Effects.Check c = e.getValue().events();
            report.zero(PHASE, "events missing, twice, or for nothing" + where, c.missing().size() + c.duplicated().size()
                    + c.unexpected().size(), concat(c.missing(), c.duplicated(), c.unexpected()));
            report.zero(PHASE, "deliveries received twice, invalid signatures" + where, c.repeatedOutsideCrash().size()
                    + c.invalidSignatures().size(), concat(c.repeatedOutsideCrash(), c.invalidSignatures()));
        }
        List<String> differ = new ArrayList<>();
        for (var e : once.byTag().entrySet()) {
            String other = twice.byTag().get(e.getKey());
            if (!e.getValue().equals(other)) {
                differ.add(e.getKey() + ": once " + e.getValue() + " / twice " + other);
            }
        }
        report.zero(PHASE, "requests whose results differ from single delivery", differ.size(), differ);

        Matcher m = summary == null ? null : SUMMARY.matcher(summary);
        if (m != null && !m.matches()) {
            why = "the chaos stack's summary is not understood: " + summary;
            m = null;
        }
        long sqs = m == null ? 0 : Long.parseLong(m.group(1));
        long records = m == null ? 0 : Long.parseLong(m.group(2));
        if (why == null && (sqs == 0 || records == 0)) {
            why = "the chaos stack duplicated nothing " + (sqs == 0 ? "on SQS" : "on the streams") + ": " + summary;
        }
        report.check(PHASE, "SQS messages and stream records the handlers got twice", sqs + " / " + records,
                why == null, why);
        if (m != null) {
            report.measure(PHASE, "copies delivered later, out of order; handler invocations", m.group(3) + "; " + m.group(4), null);
        }
    }

    static final String CHAOS_FILE = dev.kickoff.local.KickoffLocal.DELIVERY_CHAOS_FILE;

    /** The chaos stack's summary file, or null when it is absent or not (yet) a summary. */
    static String readSummary(Stack stack) {
        Path file = stack.dataDir.resolve(CHAOS_FILE);
        try {
            String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : "";
            return SUMMARY.matcher(text).matches() ? text : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** Waits (up to {@code limit}) for a summary showing both SQS messages and stream records duplicated. */
    static String awaitSummary(Stack stack, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        String last = readSummary(stack);
        while (System.nanoTime() < end) {
            Matcher m = last == null ? null : SUMMARY.matcher(last);
            if (m != null && m.matches() && Long.parseLong(m.group(1)) > 0 && Long.parseLong(m.group(2)) > 0) {
                return last;
            }
            Thread.sleep(500);
            last = readSummary(stack);
        }
        return last;
    }

    /** The last summary line in the stack's logs (every 30 s, and on close), or null. */
    static String lastSummaryLogged(Stack stack) throws java.io.IOException {
        String last = null;
        for (Path log : stack.logFiles()) {
            Matcher found = SUMMARY.matcher(Files.readString(log, StandardCharsets.UTF_8));
            while (found.find()) {
                last = found.group();
            }
        }
        return last;
    }

    private Outcome workload(Stack stack, Stack.Org org) throws Exception {
        Http http = new Http(stack.baseUrl());
        Secrets.add(org.manageToken(), "duplicates org manage token");
        Secrets.add(org.apiToken(), "duplicates org api token");
        try (Receiver hooks = Receiver.ok("dup-" + stack.name)) {
            JsonNode sub = http.expect(201, "POST", "/api/manage/v1/webhooks", org.manageToken(), "{\"url\": \"" + hooks.url()
                    + "\", \"events\": [\"run.completed\", \"run.failed\", \"case.created\", \"case.status_changed\"]}");
            Secrets.collect(sub, "webhook secret (duplicates)");
            hooks.secret(sub.path("secret").asText());
            Workflows.Set set = Workflows.publishAll(http, org.id(), org.manageToken(), "http://127.0.0.1:1/none");
            List<Workflows.Kind> kinds = List.of(Workflows.Kind.ORDER, Workflows.Kind.CHAIN, Workflows.Kind.FAILING);
            int n = suite.options().size(40, 200);
            List<Workload.Outcome> outcomes = Workload.outcomes(Workload.jobs("dup" + suite.seed(), n, set,
                    suite.seed(PHASE), kinds, 0.3, 0.3, 1));
            ExecutorService clients = Executors.newFixedThreadPool(4);
            for (Workload.Outcome o : outcomes) {
                clients.submit(() -> Workload.submit(o, http, org.id(), List.of(org.apiToken()), 0, () -> false));
            }
            clients.shutdown();
            clients.awaitTermination(10, TimeUnit.MINUTES);
            Workload.awaitTerminal(outcomes, http, org.apiToken(), Duration.ofMinutes(suite.quick() ? 4 : 6));
            try (Table table = new Table(stack)) {
                Workload.Verification v = Workload.verify(outcomes, table);
                Set<String> tags = outcomes.stream().map(o -> o.job.tag()).collect(Collectors.toSet());
                List<Table.RunRow> runs = table.runs().stream().filter(r -> tags.contains(r.tag())).toList();
                List<Table.CaseRow> cases = table.cases().stream().filter(c -> tags.contains(c.tag())).toList();
                Effects.Check events = Effects.await(() -> Effects.expected(runs, cases), hooks, List.of(),
                        Duration.ofMinutes(suite.quick() ? 4 : 6));
                return new Outcome(summarize(runs, cases, hooks.receptions()), v, events);
            }
        }
    }

    /** Per tag: the run's status, output and error; the case's status and attributes; the events, IDs left out. */
    static Map<String, String> summarize(List<Table.RunRow> runs, List<Table.CaseRow> cases, List<Receiver.Reception> receptions) {
        Map<Long, String> tagOfRun = new HashMap<>();
        Map<Long, String> tagOfCase = new HashMap<>();
        runs.forEach(r -> tagOfRun.put(r.runId(), r.tag()));
        cases.forEach(c -> tagOfCase.put(c.caseId(), c.tag()));
        Map<String, List<String>> events = new TreeMap<>();
        for (Receiver.Reception r : receptions) {
            if (!r.succeeded()) {
                continue;
            }
            String key = Effects.key(r.type(), r.data());
            Matcher id = Pattern.compile("(run|case):(\\d+)").matcher(key);
            if (id.find()) {
                long n = Long.parseLong(id.group(2));
                String tag = id.group(1).equals("run") ? tagOfRun.get(n) : tagOfCase.get(n);
                events.computeIfAbsent(String.valueOf(tag), k -> new ArrayList<>()).add(key.replaceAll("(run|case):\\d+", "$1"));
            }
        }
        Map<String, String> out = new TreeMap<>();
        for (Table.RunRow r : runs) {
            out.merge(r.tag(), "run " + r.status() + " " + canonical(r.output()) + " " + r.error(), (a, b) -> a + " | " + b);
        }
        for (Table.CaseRow c : cases) {
            out.merge(c.tag(), "case " + c.status() + " " + canonical(c.attributes()), (a, b) -> a + " | " + b);
        }
        events.forEach((tag, list) -> out.merge(tag, "events " + list.stream().sorted().toList(), (a, b) -> a + " | " + b));
        return out;
    }

    private static String canonical(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "-";
        }
        try {
            return Json.MAPPER.writer().with(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .writeValueAsString(Json.MAPPER.convertValue(node, Object.class));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return node.toString();
        }
    }

    @SafeVarargs
    private static List<String> concat(List<String>... lists) {
        List<String> out = new ArrayList<>();
        for (List<String> l : lists) {
            out.addAll(l);
        }
        return out;
    }
}
