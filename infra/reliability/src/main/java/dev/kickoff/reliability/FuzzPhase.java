package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.api.workspace.WorkspaceIds;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bad input: the fuzzer's requests ({@link FuzzCases}) to every documented operation of a running stack, over a raw
 * socket. No answer may be a 5xx; every answer must be documented for its operation (status and schema, in the error
 * shape of the caller's API) or be API Gateway's own refusal; no answer may show internals; and nothing may be
 * written by a request that was refused (the organization's items before and after, every change traced to an answer
 * that accepted something).
 */
final class FuzzPhase {
    static final String PHASE = "fuzz";
    /** What an error message must never show: parser and JVM internals, stack frames. */
    static final Pattern INTERNALS = Pattern.compile("com\\.fasterxml|java\\.lang\\.|java\\.util\\.|StreamReadConstraints"
            + "|NumberFormatException|\\tat |Exception:|dev\\.kickoff\\.");
    static final Pattern ID_TEXT = Pattern.compile("^(?:run_|wf_|exec_)?(\\d{6,16})$");
    static final Pattern UUID_TEXT = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    private final Suite suite;
    private final Stack stack;

    FuzzPhase(Suite suite, Stack stack) {
        this.suite = suite;
        this.stack = stack;
    }

    record Result(FuzzCases.Case fuzz, RawHttp.Response response, Contract.Verdict verdict, long nanos) {
    }

    void run() throws Exception {
        Report report = suite.report();
        Http http = new Http(stack.baseUrl());
        Stack.Org org = stack.createOrg("fuzz", 100_000);
        Secrets.add(org.manageToken(), "fuzz org manage token");
        Secrets.add(org.apiToken(), "fuzz org api token");
        try (Receiver hooks = Receiver.ok("fuzz")) {
            Fixtures fixtures = Fixtures.create(http, org, hooks.url());
            List<Routes.Route> routes = Routes.classify(suite.contract(), hooks.url());
            List<String> unclassified = routes.stream().filter(r -> !r.classified())
                    .map(r -> r.op().key() + ": " + r.problem()).toList();
            report.zero(PHASE, "documented operations the suite cannot call (classify them)", unclassified.size(), unclassified);
            int count = suite.options().size(1_000, 10_000);
            List<FuzzCases.Case> cases = new FuzzCases(routes, fixtures, suite.seed(PHASE)).generate(count);

            try (Table table = new Table(stack)) {
                Map<String, Map<String, AttributeValue>> before = quiet(table, org.id());
                List<Result> results = Collections.synchronizedList(new ArrayList<>());
                ExecutorService pool = Executors.newFixedThreadPool(8);
                AtomicInteger done = new AtomicInteger();
                long start = System.nanoTime();
                for (FuzzCases.Case c : cases) {
                    pool.submit(() -> {
                        long t = System.nanoTime();
                        RawHttp.Response r = RawHttp.send("127.0.0.1", stack.port(), c.request(), Duration.ofSeconds(60));
                        String path = new String(c.request().target(), StandardCharsets.ISO_8859_1);
                        Contract.Verdict v = suite.contract().check(c.request().method(), path, r.status(),
                                r.header("content-type"), c.request().method().equals("HEAD") ? null : r.text());
                        results.add(new Result(c, r, v, System.nanoTime() - t));
                        int n = done.incrementAndGet();
                        if (n % 1000 == 0) {
                            System.out.println("fuzz: " + n + " / " + cases.size());
                        }
                    });
                }
                pool.shutdown();
                pool.awaitTermination(60, TimeUnit.MINUTES);
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                judge(report, results, took, routes);
                Map<String, Map<String, AttributeValue>> after = quiet(table, org.id());
                writes(report, results, Table.diff(before, after));
                regexAtRunTime(report, http, org);
            }
        }
    }

    private void judge(Report report, List<Result> results, Duration took, List<Routes.Route> routes) {
        List<String> fiveHundreds = new ArrayList<>();
        List<String> undocumented = new ArrayList<>();
        List<String> internals = new ArrayList<>();
        List<String> noAnswer = new ArrayList<>();
        Map<String, Integer> perOperation = new TreeMap<>();
        Map<String, Integer> byStatus = new TreeMap<>();
        int gateway = 0;
        List<String> headerByGateway = new ArrayList<>();
        for (Result r : results) {
            FuzzCases.Case c = r.fuzz();
            perOperation.merge(c.operation(), 1, Integer::sum);
            String line = "#" + c.index() + " " + c.mutations() + " " + c.request().describe() + " -> " + r.response();
            int status = r.response().status();
            byStatus.merge(status < 0 ? "none" : status + "", 1, Integer::sum);
            if (status < 0) {
                noAnswer.add(line);
                continue;
            }
            if (status >= 500) {
                fiveHundreds.add(line);
            } else if (!r.verdict().ok()) {
                undocumented.add(line + " — " + r.verdict().problem());
            }
            if ("gateway".equals(r.verdict().kind())) {
                gateway++;
                if (c.mutations().contains("header_control")) {
                    headerByGateway.add(line);
                }
            }
            if (INTERNALS.matcher(r.response().text()).find()) {
                internals.add(line);
            }
        }
        long minPerOp = perOperation.entrySet().stream().filter(e -> !e.getKey().startsWith("(no route)"))
                .mapToLong(Map.Entry::getValue).min().orElse(0);
        long covered = perOperation.keySet().stream().filter(k -> !k.startsWith("(no route)")).count();
        long classified = routes.stream().filter(Routes.Route::classified).count();
        report.measure(PHASE, "requests sent (jqwik generators, seeded)", Integer.toString(results.size()),
                "to " + covered + " of " + routes.size() + " documented operations, at least " + minPerOp + " each, in "
                        + Report.minutes(took));
        report.check(PHASE, "documented operations fuzzed", covered + " / " + classified, covered == classified, null);
        report.zero(PHASE, "5xx answers", fiveHundreds.size(), fiveHundreds);
        report.zero(PHASE, "undocumented answers (status or schema, caller's shape)", undocumented.size(), undocumented);
        report.zero(PHASE, "answers showing internals (parser, JVM, stack frames)", internals.size(), internals);
        report.zero(PHASE, "requests left without an answer", noAnswer.size(), noAnswer);
        report.measure(PHASE, "answers by status", byStatus.toString(), gateway + " of them API Gateway's own (README, \"Limits\")");
        if (!headerByGateway.isEmpty()) {
            report.known(new Report.Known("A control byte in a header value is refused by the local gateway, in API "
                    + "Gateway's words rather than the caller's shape", headerByGateway.getFirst(),
                    "400 {\"message\":\"Bad Request\"} from Jetty, before the function (" + headerByGateway.size()
                            + " such answers in this run)",
                    "README, \"Bodies\": \"a header with a control character (e.g. byte 0x7F) is a 400 in the caller's "
                            + "shape\" — true of the function (HeaderValuesTest), not of the local stack, whose gateway "
                            + "refuses such headers first; whether API Gateway itself passes them to the function is not "
                            + "known here (no AWS account)", "infra/local HttpGateway (Jetty's header parser)"));
        }
        StringBuilder md = new StringBuilder("Requests per operation (a request is valid but for one or two things; the ")
                .append("families are in `FuzzCases`):\n\n| operation | requests |\n|---|---:|\n");
        perOperation.forEach((k, v) -> md.append("| `").append(k).append("` | ").append(v).append(" |\n"));
        report.section("Bad input", md.toString());
    }

    /** Patterns that are saved (not refused) are run against hostile inputs: bounded, never a 5xx. */
    private void regexAtRunTime(Report report, Http http, Stack.Org org) {
        List<String> problems = new ArrayList<>();
        int saved = 0;
        double slowest = 0;
        for (String pattern : FuzzCases.REGEX_BOMBS) {
            String definition = "{\"name\": \"re\", \"inputSchema\": {\"type\": \"object\", \"properties\": {\"s\": {\"type\": "
                    + "\"string\", \"pattern\": " + Json.write(Json.MAPPER.getNodeFactory().textNode(pattern)) + "}}}, \"steps\": []}";
            Http.Answer created = http.send("POST", "/api/manage/v1/workflows", org.manageToken(), definition);
            if (created.status() != 201) {
                if (created.status() >= 500) {
                    problems.add("saving " + pattern + " answered " + created);
                }
                continue;
            }
            saved++;
            long id = created.json().path("workflow").path("id").asLong();
            http.send("POST", "/api/manage/v1/workflows/" + id + "/publish", org.manageToken(), null);
            for (String input : List.of("a".repeat(30) + "!", "ab".repeat(3000) + "!", "a".repeat(100_000))) {
                Http.Answer a = http.send("POST", "/api/external/v1/workflows/" + id + "/runs", org.apiToken(),
                        "{\"input\": {\"s\": \"" + input + "\"}}");
                slowest = Math.max(slowest, a.millis());
                if (a.status() < 0 || a.status() >= 500) {
                    problems.add(pattern + " against " + input.length() + " chars: " + a);
                }
            }
        }
        report.zero(PHASE, "regex bombs: 5xx or no answer when saved or run", problems.size(), problems);
        report.measure(PHASE, "regex bombs: patterns saved of tried; slowest run request, ms", saved + " of "
                + FuzzCases.REGEX_BOMBS.size() + "; " + Report.fmt(slowest, 0), "the rest refused at save (422)");
    }

    /** The organization's items once nothing has changed for 3 s (runs finished, deliveries made), at most 2 minutes. */
    static Map<String, Map<String, AttributeValue>> quiet(Table table, long org) {
        return quiet(table, i -> Table.ofOrg(i, org));
    }

    static Map<String, Map<String, AttributeValue>> quiet(Table table,
                                                          java.util.function.Predicate<Map<String, AttributeValue>> keep) {
        Map<String, Map<String, AttributeValue>> last = table.snapshot(keep);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            Workload.sleep(3000);
            Map<String, Map<String, AttributeValue>> now = table.snapshot(keep);
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /** Every change to the organization's items must belong to something an accepted request created or changed. */
    private void writes(Report report, List<Result> results, List<Table.Change> changes) {
        Set<String> accepted = new HashSet<>();
        int acceptedWrites = 0;
        for (Result r : results) {
            int status = r.response().status();
            String method = r.fuzz().request().method();
            if (status >= 200 && status < 300) {
                // whatever an accepted request carried or got back as a secret (tokens, webhook and connection secrets)
                Secrets.collect(Json.read(r.fuzz().request().body() == null ? new byte[0] : r.fuzz().request().body()),
                        "fuzz request body");
                Secrets.collect(Json.read(r.response().text()), "fuzz answer");
            }
            if (status >= 200 && status < 300 && !method.equals("GET") && !method.equals("HEAD")) {
                acceptedWrites++;
                collectIds(Json.read(r.response().text()), accepted);
                for (String segment : new String(r.fuzz().request().target(), StandardCharsets.UTF_8).split("[/?&=]")) {
                    addId(segment, accepted);
                }
            }
        }
        // Events name the run or case they report; deliveries the event.
        for (Table.Change c : changes) {
            if ("webhook_event".equals(c.type()) || Table.str(c.item(), "pk").startsWith("EVENT#")) {
                JsonNode data = Json.read(Table.str(c.item(), "data"));
                Set<String> subject = new HashSet<>();
                collectIds(data, subject);
                if (subject.stream().anyMatch(accepted::contains)) {
                    accepted.add(Table.str(c.item(), "pk").substring("EVENT#".length()));
                }
            }
        }
        List<String> unexplained = new ArrayList<>();
        for (Table.Change c : changes) {
            if (!explained(c.item(), accepted)) {
                String input = Table.str(c.item(), "input");
                unexplained.add(c.kind() + " " + c.key() + " (" + c.type() + (input == null ? "" : ", input "
                        + Contract.excerpt(input) + ", " + Table.str(c.item(), "trigger_type") + ", created "
                        + Table.str(c.item(), "created_at")) + ")");
            }
        }
        report.measure(PHASE, "requests accepted (2xx) that write", Integer.toString(acceptedWrites),
                changes.size() + " item changes in the organization, each traced to one of them");
        report.zero(PHASE, "items written by refused requests", unexplained.size(), unexplained);
    }

    private static boolean explained(Map<String, AttributeValue> item, Set<String> accepted) {
        String type = Table.str(item, "type");
        if ("run_meter".equals(type) || "usage_counter".equals(type) || "usage_total".equals(type)) {
            // Metering's bookkeeping, written by the streams function when any run finishes (a fire of a schedule an
            // accepted request made active included): checked for exactness by MeteringTest and SchedulerHandlerTest.
            return true;
        }
        Set<String> ids = new HashSet<>();
        for (String key : List.of("pk", "sk")) {
            String v = Table.str(item, key);
            if (v != null) {
                Matcher m = Pattern.compile("(\\d{6,16})|((?:msg|evt|conn)_[0-9a-z]+)").matcher(v);
                while (m.find()) {
                    ids.add(m.group());
                    ids.add(m.group().replaceFirst("^0+(?=\\d)", ""));  // keys hold IDs zero-padded to 16 digits
                }
            }
        }
        for (String attr : List.of("run_id", "case_id", "token_id", "webhook_id", "delivery_id", "event_id", "connection_id",
                "replay_of")) {
            AttributeValue v = item.get(attr);
            if (v != null) {
                ids.add(v.n() != null ? v.n() : v.s());
            }
        }
        return ids.stream().anyMatch(accepted::contains);
    }

    static void collectIds(JsonNode node, Set<String> into) {
        // Iterative: an accepted body may nest deeper than recursion survives.
        java.util.Deque<JsonNode> pending = new java.util.ArrayDeque<>();
        if (node != null) {
            pending.push(node);
        }
        while (!pending.isEmpty()) {
            JsonNode n = pending.pop();
            if (n.isObject() || n.isArray()) {
                n.forEach(pending::push);
            } else if (n.isIntegralNumber()) {
                into.add(n.asText());
            } else if (n.isTextual()) {
                addId(n.asText(), into);
            }
        }
    }

    static void addId(String text, Set<String> into) {
        Matcher m = ID_TEXT.matcher(text);
        if (m.matches()) {
            into.add(m.group(1));
        } else if (UUID_TEXT.matcher(text).matches()) {
            for (WorkspaceIds.Kind k : WorkspaceIds.Kind.values()) {
                long id = WorkspaceIds.decode(text, k);
                if (id > 0) {
                    into.add(Long.toString(id));
                }
            }
        } else if (text.startsWith("msg_") || text.startsWith("evt_") || text.startsWith("conn_")) {
            into.add(text);
        }
    }
}
