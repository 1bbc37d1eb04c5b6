package dev.kickoff.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static dev.kickoff.bench.Stats.fmt;

/**
 * The measured half of docs/benchmarks.md: machine, command, date, and one table per benchmark, every figure next
 * to its same-run baseline as a ratio. The prose half (method, what each aid is worth on AWS, what stands in the
 * way) lives in docs/benchmarks-method.md, which this file links to and never overwrites.
 */
public final class Report {
    private final Path root;
    private final boolean quick;
    private final String started = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    private final String loadAtStart = loadAverage();
    private final List<String> sections = new ArrayList<>();

    public Report(Path root, boolean quick) {
        this.root = root;
        this.quick = quick;
    }

    private String renderedFrom;

    /** Marks this report as re-rendered from saved results rather than measured now. */
    public void renderedFrom(Path work) throws IOException {
        java.nio.file.attribute.FileTime newest = null;
        try (Stream<Path> files = Files.list(work)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                var t = Files.getLastModifiedTime(f);
                newest = newest == null || t.compareTo(newest) > 0 ? t : newest;
            }
        }
        renderedFrom = newest == null ? "no saved results" : "results saved up to "
                + newest.toInstant().atZone(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    }

    public void coldStart(List<ColdStartBench.Result> results) throws IOException {
        ColdStartBench.Result bare = results.stream().filter(r -> r.variant().name().equals("bare")).findFirst()
                .orElse(results.stream().filter(r -> r.variant().baseline()).findFirst().orElse(results.getFirst()));
        double base = bare.wall().median();
        StringBuilder md = new StringBuilder();
        md.append("## 1. Cold start of the API function\n\n");
        md.append("Fresh JVM per sample, from launch to the first `POST /api/external/v1/workflows/{id}/runs` answered ")
                .append("201 (handler constructed, token checked, DynamoDB write, SQS send). ")
                .append(bare.samples().size()).append(" samples per subject, interleaved; median (min–max). ")
                .append("Baseline: the bare handler (`bench/bare`, no framework, same SDK and HTTP client, same calls). ")
                .append("\"First request\" is the handler call alone, after construction: roughly what remains of a ")
                .append("cold start once SnapStart restores an initialized instance.\n\n");
        md.append("| subject | launch → first answer, ms | × bare | × bare with same aid | first request, ms")
                .append(" | first request × bare (same aid) | peak RSS, MB | CPU to first answer, ms | classes loaded |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ColdStartBench.Result r : results) {
            String name = r.variant().name();
            String aid = name.contains("-") ? name.substring(name.indexOf('-') + 1) : null;
            String sameAid = "";
            ColdStartBench.Result peer = r.variant().baseline() ? null : results.stream()
                    .filter(o -> o.variant().name().equals(aid == null ? "bare" : "bare-" + aid)).findFirst().orElse(null);
            if (peer != null && aid != null) {
                sameAid = fmt(r.wall().median() / peer.wall().median(), 2) + "×";
            }
            String firstRatio = peer == null ? "" : fmt(r.first().median() / peer.first().median(), 2) + "×";
            md.append("| ").append(r.variant().description()).append(" | ").append(r.wall().spread(0))
                    .append(" | ").append(fmt(r.wall().median() / base, 2)).append("× | ").append(sameAid)
                    .append(" | ").append(r.first().spread(0)).append(" | ").append(firstRatio).append(" | ")
                    .append(r.hwm().spread(0)).append(" | ").append(r.cpu().spread(0)).append(" | ")
                    .append(fmt(r.classes().median(), 0)).append(" |\n");
        }
        md.append("\nCPU time is every thread of the child (JIT, GC, the request) up to its first answer: what Lambda bills ")
                .append("for init and the first invocation, and steadier than wall time on a shared machine. The class ")
                .append("count is the same in every run of one jar.\n");
        md.append("\nDeployable jars:\n\n| jar | size, MB | entries |\n|---|---:|---:|\n");
        try (Stream<Path> functions = Files.isDirectory(root.resolve("functions"))
                ? Files.list(root.resolve("functions")) : Stream.empty()) {
            for (Path dir : functions.sorted().toList()) {
                try (Stream<Path> jars = Files.exists(dir.resolve("target")) ? Files.list(dir.resolve("target")) : Stream.empty()) {
                    for (Path jar : jars.filter(p -> p.getFileName().toString().matches("kickoff-[a-z]+\\.jar")).toList()) {
                        int entries;
                        try (var zip = new java.util.zip.ZipFile(jar.toFile())) {
                            entries = zip.size();
                        }
                        md.append("| `").append(root.relativize(jar)).append("` | ")
                                .append(fmt(Files.size(jar) / 1e6, 1)).append(" | ").append(entries).append(" |\n");
                    }
                }
            }
        }
        Path bareJar = root.resolve("bench/bare/target/bare-handler.jar");
        if (Files.exists(bareJar)) {
            md.append("| `").append(root.relativize(bareJar)).append("` (baseline) | ")
                    .append(fmt(Files.size(bareJar) / 1e6, 1)).append(" | |\n");
        }
        sections.add(md.toString());
    }

    public void triggerPath(TriggerPathBench.Result r, TriggerPathBench.Result defaultJit) {
        TriggerPathBench.ModeResult floor = r.modes().stream().filter(m -> m.mode().equals("floor")).findFirst()
                .orElseThrow();
        StringBuilder md = new StringBuilder("## 2. Warm trigger path\n\n");
        md.append("`POST …/runs` through the API handler in one warmed JVM (the function's JVM flags: `")
                .append(r.jvmFlags().replaceAll("-Dlog4j2\\S*", "").strip()).append("`), one request at a time, ")
                .append(floor.calls()).append(" measured calls per mode in alternating blocks. ")
                .append("**Floor**: one PutItem of a run-sized item + one SendMessage, issued directly with clients ")
                .append("built as the function builds its own. **Path I/O**: the floor + the two strongly consistent ")
                .append("GetItems the trigger used to make one after the other (token hash, workflow head); the ")
                .append("other path I/O rows are the variants in benchmarks-method.md section 2.\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (TriggerPathBench.ModeResult m : r.modes()) {
            String name = switch (m.mode()) {
                case "api" -> "API handler (`POST …/runs`)";
                case "floor" -> "floor: PutItem + SendMessage";
                case "path-io" -> "path I/O: 2 × GetItem + PutItem + SendMessage";
                case "path-io-batch" -> "path I/O: BatchGetItem (2 items, consistent) + PutItem + SendMessage";
                case "path-io-transact" -> "path I/O: TransactGetItems (2 items) + PutItem + SendMessage";
                case "path-io-now" -> "path I/O as the warm trigger waits now: (BatchGetItem ∥ counter UpdateItem) "
                        + "+ PutItem + SendMessage";
                case "path-io-before" -> "path I/O as it waited before: 2 × GetItem + counter UpdateItem + PutItem "
                        + "+ SendMessage";
                default -> m.mode();
            };
            rows.add(List.of(name, fmt(m.latencyMs().median(), 2), fmt(m.latencyMs().median() / floor.latencyMs().median(), 2) + "×",
                    fmt(m.latencyMs().p99(), 2), fmt(m.latencyMs().p99() / floor.latencyMs().p99(), 2) + "×",
                    fmt(m.latencyMs().p25(), 2) + "–" + fmt(m.latencyMs().p75(), 2), fmt(m.perSecond(), 0)));
        }
        md.append(table(List.of("mode", "p50, ms", "p50 × floor", "p99, ms", "p99 × floor", "p25–p75, ms",
                "requests/s (one client)"), rows));
        if (defaultJit != null) {
            var api = defaultJit.modes().stream().filter(m -> m.mode().equals("api")).findFirst().orElseThrow();
            var fl = defaultJit.modes().stream().filter(m -> m.mode().equals("floor")).findFirst().orElseThrow();
            md.append("\nThe same run with the JVM's default tiered JIT (no `TieredStopAtLevel=1`): API p50 ")
                    .append(fmt(api.latencyMs().median(), 2)).append(" ms = ")
                    .append(fmt(api.latencyMs().median() / fl.latencyMs().median(), 2)).append("× its floor (")
                    .append(fmt(fl.latencyMs().median(), 2)).append(" ms), p99 ").append(fmt(api.latencyMs().p99(), 2))
                    .append(" ms.\n");
        }
        sections.add(md.toString());
    }

    public void endToEnd(EndToEndBench.Result r) {
        StringBuilder md = new StringBuilder("## 3. End to end on the local stack\n\n");
        md.append("Trigger → `completed` for a three-step transform workflow on `KickoffLocal` (HTTP on loopback, the ")
                .append("worker behind the SQS event source with the template's batch size, ").append(r.pollers())
                .append(" pollers). ").append(r.runs()).append(" runs started open-loop at ").append(fmt(r.ratePerSecond(), 0))
                .append(" runs/s; latency = the run's `completed_at` (worker clock) − the instant the client began its ")
                .append("POST (same clock, same process). Cross-check: ").append(r.polledMs().n())
                .append(" sequential runs polled over the API every millisecond.\n\n");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("trigger → completed", fmt(r.triggerToCompletedMs().median(), 1),
                fmt(r.triggerToCompletedMs().p99(), 1), fmt(r.triggerToCompletedMs().median() / 50, 2) + "× the 50 ms target"));
        rows.add(List.of("of which trigger → run stored (API)", fmt(r.triggerToCreatedMs().median(), 1),
                fmt(r.triggerToCreatedMs().p99(), 1), ""));
        rows.add(List.of("of which run stored → completed (queue + worker)", fmt(r.createdToCompletedMs().median(), 1),
                fmt(r.createdToCompletedMs().p99(), 1), ""));
        rows.add(List.of("client-observed (polling the API)", fmt(r.polledMs().median(), 1), fmt(r.polledMs().p99(), 1),
                ""));
        md.append(table(List.of("", "p50, ms", "p99, ms", "ratio"), rows));
        md.append("\nSaturation: ").append(r.saturationRuns()).append(" runs started back to back by ").append(r.clients())
                .append(" clients: **").append(fmt(r.saturationRunsPerSecond(), 0)).append(" runs/s** completed (first POST → ")
                .append("last `completed_at`), ").append(fmt(r.acceptedPerSecond(), 0)).append(" runs/s accepted by the API; ")
                .append("latency under that load p50 ").append(fmt(r.saturationLatencyMs().median(), 0)).append(" ms, p99 ")
                .append(fmt(r.saturationLatencyMs().p99(), 0)).append(" ms. Everything (client, API, worker, DynamoDB ")
                .append("Local, ElasticMQ) shares the same ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores.").append(r.failed() > 0 ? " **" + r.failed() + " runs did not complete.**" : "").append("\n");
        if (r.steps() != null) {
            stepComparison(md, r.steps(), r.ratePerSecond());
        }
        sections.add(md.toString());
    }

    /** What an http step adds, against one transform step and one claimed no-op measured interleaved with it. */
    private static void stepComparison(StringBuilder md, EndToEndBench.StepComparison c, double rate) {
        md.append("\n**What an `http` step adds.** Three one-step workflows, ").append(c.runs())
                .append(" runs each, started interleaved (one of each in turn) open-loop at ").append(fmt(rate, 0))
                .append(" runs/s in the same stack: a `transform` step (pure: the worker completes the run in one ")
                .append("write, no claim), a `delay` of `PT0S` (impure, sends nothing: claim, checkpoint, complete) and ")
                .append("an `http` POST to a loopback server in the benchmark's process (the same writes plus the ")
                .append("request, its `Idempotency-Key` and its answer parsed into the output). Trigger → `completed`:\n\n");
        double base = c.transformMs().median();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("one `transform` step (baseline)", fmt(c.transformMs().median(), 1), fmt(c.transformMs().p99(), 1),
                "1.00×", ""));
        rows.add(List.of("one claimed no-op (`delay` `PT0S`)", fmt(c.claimedNoOpMs().median(), 1),
                fmt(c.claimedNoOpMs().p99(), 1), fmt(c.claimedNoOpMs().median() / base, 2) + "×",
                "+" + fmt(c.claimedNoOpMs().median() - base, 1) + " ms"));
        rows.add(List.of("one `http` step (loopback target)", fmt(c.httpMs().median(), 1), fmt(c.httpMs().p99(), 1),
                fmt(c.httpMs().median() / base, 2) + "×", "+" + fmt(c.httpMs().median() - base, 1) + " ms"));
        md.append(table(List.of("", "p50, ms", "p99, ms", "ratio", "p50 − baseline"), rows));
        md.append("\nOf the http step's extra ").append(fmt(c.httpMs().median() - base, 1)).append(" ms, ")
                .append(fmt(c.claimedNoOpMs().median() - base, 1)).append(" ms is the claimed path any impure step ")
                .append("takes (a claim and a checkpoint: two more DynamoDB writes) and ")
                .append(fmt(c.httpMs().median() - c.claimedNoOpMs().median(), 1))
                .append(" ms the request itself; the step's own time as its record says (request sent, answer ")
                .append("read and parsed) is p50 ").append(fmt(c.httpStepMs().median(), 1)).append(" ms, p99 ")
                .append(fmt(c.httpStepMs().p99(), 1)).append(" ms.")
                .append(c.failed() > 0 ? " **" + c.failed() + " runs did not complete.**" : "").append("\n");
    }

    /** AWS round trips a warm trigger waits for on Lambda (three sequential, a few ms each: benchmarks-method.md 5). */
    static final double ASSUMED_AWS_IO_MS = 12;

    public void memory(MemoryCurve.Result r) {
        StringBuilder md = new StringBuilder("## 5. MemorySize: a measured cost/latency curve\n\n");
        if (r.skipped() != null) {
            sections.add(md.append("Not measured: ").append(r.skipped()).append(".\n").toString());
            return;
        }
        md.append("The power-tuning method, locally: the API function at each size gets the CPU share Lambda gives it ")
                .append("(memory ÷ 1,769 MB, capped at this machine's cores) as a cgroup CPU quota on its JVM, and a heap ")
                .append("of 85 % of the memory. **Cold**: a fresh JVM to its first 201, median of ")
                .append(r.sizes().getFirst().cold().samples().size()).append(". **Warm**: `POST …/runs` through the handler ")
                .append("in a warmed child, p50 of ").append(r.sizes().getFirst().warm().modes().getFirst().calls())
                .append(" calls, and the floor (PutItem + SendMessage from the same child) beside it. **Cost**: the warm ")
                .append("duration × memory at arm64's $")
                .append(java.math.BigDecimal.valueOf(dev.kickoff.bench.cost.Prices.LAMBDA_ARM_GB_SECOND).toPlainString())
                .append(" per GB-s, per million warm triggers, duration only (requests and everything else do not ")
                .append("change with the size); the last column adds ").append(fmt(ASSUMED_AWS_IO_MS, 0))
                .append(" ms of AWS round trips (assumed, not measured) to the handler's own time over the floor, ")
                .append("since loopback I/O is far quicker than DynamoDB's and SQS's.\n\n");
        MemoryCurve.Size reference = r.sizes().stream().filter(z -> z.memoryMb() == 1024).findFirst()
                .orElse(r.sizes().getFirst());
        List<List<String>> rows = new ArrayList<>();
        for (MemoryCurve.Size z : r.sizes()) {
            double warm = z.warmMode("api").median();
            double handler = Math.max(0, warm - z.warmMode("floor").median());
            double gb = z.memoryMb() / 1024.0;
            double local = Math.ceil(warm) / 1000 * gb * dev.kickoff.bench.cost.Prices.LAMBDA_ARM_GB_SECOND * 1e6;
            double aws = Math.ceil(handler + ASSUMED_AWS_IO_MS) / 1000 * gb
                    * dev.kickoff.bench.cost.Prices.LAMBDA_ARM_GB_SECOND * 1e6;
            rows.add(List.of((z.memoryMb() == reference.memoryMb() ? "**" + z.memoryMb() + " MB**" : z.memoryMb() + " MB"),
                    fmt(z.cpus(), 2), z.cold().wall().spread(0),
                    fmt(z.cold().wall().median() / reference.cold().wall().median(), 2) + "×",
                    fmt(z.cold().cpu().median(), 0), fmt(z.cold().hwm().median(), 0), fmt(warm, 2), fmt(handler, 2),
                    "$" + fmt(local, 3), "$" + fmt(aws, 3)));
        }
        md.append(table(List.of("MemorySize", "vCPU", "cold start, ms", "× " + reference.memoryMb() + " MB",
                "cold CPU, ms", "peak RSS, MB", "warm p50, ms", "warm p50 − floor, ms",
                "$ per M warm (local duration)", "$ per M warm (+ AWS I/O)"), rows));
        md.append("\nThe CPU share is enforced; what it runs on is not Lambda's: these are x86-64 cores, arm64 Graviton ")
                .append("cores differ per cycle, and the emulators answer over loopback. Read the curve's shape, not its ")
                .append("milliseconds.\n");
        sections.add(md.toString());
    }

    /** Issue 16's new paths: a signal's resume, a delay's wake-up, {@code Prefer: wait} against polling. */
    public void paths(PathsBench.Result r) {
        StringBuilder md = new StringBuilder("## 6. New paths: signals, delay wake-ups, run-and-wait\n\n");
        md.append("On `KickoffLocal` as in section 3 (").append(r.pollers()).append(" pollers), over HTTP on loopback; ")
                .append("method and what these figures do and do not say about AWS in benchmarks-method.md section 6.\n\n");
        PathsBench.Signals sg = r.signals();
        double base = sg.baselineMs().median();
        md.append("**Signal → resumed → completed.** ").append(sg.runs()).append(" runs of `wait_for_signal` + one ")
                .append("`transform`, each left `suspended`, then signalled (`POST …/runs/{run_id}/signals`) open-loop at ")
                .append(fmt(r.ratePerSecond(), 0)).append(" requests/s, interleaved one for one with triggers of a ")
                .append("one-step `transform` workflow (the baseline). Latency = the run's `completed_at` − the instant ")
                .append("the client began its POST:\n\n");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("signal → completed", fmt(sg.signalToCompletedMs().median(), 1),
                fmt(sg.signalToCompletedMs().p90(), 1), fmt(sg.signalToCompletedMs().p99(), 1),
                fmt(sg.signalToCompletedMs().median() / base, 2) + "×"));
        rows.add(List.of("of which the signal's 202 (client-observed)", fmt(sg.signalAnswerMs().median(), 1),
                fmt(sg.signalAnswerMs().p90(), 1), fmt(sg.signalAnswerMs().p99(), 1), ""));
        rows.add(List.of("baseline: one `transform` step, trigger → completed", fmt(base, 1),
                fmt(sg.baselineMs().p90(), 1), fmt(sg.baselineMs().p99(), 1), "1.00×"));
        md.append(table(List.of("", "p50, ms", "p90, ms", "p99, ms", "p50 × baseline"), rows));
        if (sg.failed() > 0) {
            md.append("\n**").append(sg.failed()).append(" runs did not complete.**\n");
        }

        List<PathsBench.Delays> delays = r.delays();
        md.append("\n**Delay wake-up precision.** Runs of a `delay` + one `transform`, ").append(delays.getFirst().runs())
                .append(" per delay, started interleaved open-loop at ").append(fmt(r.ratePerSecond(), 0))
                .append(" runs/s. Lateness = completion − the due time the step computed (`waited_until`: its start + ")
                .append("the duration). The wake-up is the SQS message held back with `DelaySeconds` (a wait under 15 ")
                .append("minutes), rounded up to the second from when it is sent: a whole number of seconds lands a few ")
                .append("ms after the due time, a fraction (like an `until` at any instant) up to a second after it.\n\n");
        rows = new ArrayList<>();
        for (PathsBench.Delays d : delays) {
            rows.add(List.of("`" + d.delay() + "`: delay step completed − due", fmt(d.stepLatenessMs().median(), 1),
                    fmt(d.stepLatenessMs().p90(), 1), fmt(d.stepLatenessMs().p99(), 1), fmt(d.stepLatenessMs().min(), 1),
                    fmt(d.stepLatenessMs().max(), 1), fmt(d.stepLatenessMs().median() / base, 2) + "×"));
            rows.add(List.of("`" + d.delay() + "`: run completed − due", fmt(d.runLatenessMs().median(), 1),
                    fmt(d.runLatenessMs().p90(), 1), fmt(d.runLatenessMs().p99(), 1), fmt(d.runLatenessMs().min(), 1),
                    fmt(d.runLatenessMs().max(), 1), fmt(d.runLatenessMs().median() / base, 2) + "×"
                            + (d.failed() > 0 ? " (**" + d.failed() + " runs did not complete**)" : "")));
        }
        md.append(table(List.of("lateness", "p50, ms", "p90, ms", "p99, ms", "min, ms", "max, ms",
                "p50 × one-step trigger → completed"), rows));

        PathsBench.Waits w = r.waits();
        md.append("\n**`Prefer: wait` against polling.** Section 3's three-step workflow, ").append(w.runs())
                .append(" runs per way, one at a time, in alternating blocks: `POST …/runs` with `Prefer: wait=")
                .append(w.preferWaitSeconds()).append("` (one request; its answer must say `completed`) against a plain ")
                .append("POST then `GET …/runs/{run_id}` every N ms until `completed`. Caller-observed = the client's ")
                .append("clock from before the POST to holding the terminal answer. DynamoDB requests per run are the ")
                .append("whole stack's (API, worker, stream functions; the bench's own reads left out), counted by the ")
                .append("cost meter's SDK interceptor; \"POST only\" (nobody waits: the run's own cost) is the floor, ")
                .append("so \"reads beyond the floor\" is what the waiting or the polling itself read.\n\n");
        PathsBench.WaitMode floor = w.modes().stream().filter(m -> m.pollMs() == PathsBench.POST_ONLY).findFirst()
                .orElse(null);
        rows = new ArrayList<>();
        for (PathsBench.WaitMode m : w.modes()) {
            String name = m.pollMs() == PathsBench.POST_ONLY ? "POST only (floor; its 201, not a terminal answer)"
                    : m.pollMs() == 0 ? "`Prefer: wait=" + w.preferWaitSeconds() + "`"
                    : "POST, then GET every " + m.pollMs() + " ms";
            rows.add(List.of(name, fmt(m.callerMs().median(), 1), fmt(m.callerMs().p90(), 1),
                    fmt(m.callerMs().p99(), 1), fmt(m.httpRequestsPerRun(), 2), fmt(m.dynamoReadsPerRun(), 2),
                    floor == null ? "" : signed(m.dynamoReadsPerRun() - floor.dynamoReadsPerRun()),
                    fmt(m.dynamoReadUnitsPerRun(), 2), fmt(m.dynamoRequestsPerRun(), 2)
                            + (m.failed() > 0 ? " (**" + m.failed() + " failed**)" : "")));
        }
        md.append(table(List.of("way to the answer", "p50, ms", "p90, ms", "p99, ms", "HTTP requests / run",
                "DynamoDB reads / run", "reads beyond the floor", "read units / run", "DynamoDB requests / run (all)"),
                rows));
        PathsBench.WaitMode wait = w.modes().stream().filter(m -> m.pollMs() == 0).findFirst().orElse(null);
        if (wait != null) {
            List<String> ratios = new ArrayList<>();
            double floorReads = floor == null ? 0 : floor.dynamoReadsPerRun();
            for (PathsBench.WaitMode m : w.modes()) {
                if (m.pollMs() > 0) {
                    double beyond = m.dynamoReadsPerRun() - floorReads;
                    ratios.add("against GET every " + m.pollMs() + " ms: caller p50 **"
                            + fmt(wait.callerMs().median() / m.callerMs().median(), 2) + "×**, DynamoDB reads (whole "
                            + "stack) **" + fmt(wait.dynamoReadsPerRun() / m.dynamoReadsPerRun(), 2) + "×**"
                            + (floor == null ? "" : ", reads beyond the floor " + signed(wait.dynamoReadsPerRun()
                            - floorReads) + " against " + signed(beyond) + " per run"));
                }
            }
            md.append("\n`Prefer: wait` ").append(String.join("; ", ratios)).append(".\n");
        }
        sections.add(md.toString());
    }

    static String signed(double v) {
        return (v >= 0 ? "+" : "−") + fmt(Math.abs(v), 2);
    }

    public void cost(dev.kickoff.bench.cost.CostBench.Result r) {
        StringBuilder md = new StringBuilder("## 4. Cost per million runs\n\n");
        md.append("Single-step runs (seed 003's \"Calculate Order Total\") through the deployed handler classes, every ")
                .append("AWS request booked by an SDK `ExecutionInterceptor` on the functions' own clients (DynamoDB ")
                .append("capacity as DynamoDB reports it with `ReturnConsumedCapacity=TOTAL`). Prices: ")
                .append(dev.kickoff.bench.cost.Prices.REGION).append(", on-demand, no free tier, taken ")
                .append(dev.kickoff.bench.cost.Prices.TAKEN).append(" (list and sources in benchmarks-method.md). ")
                .append("Run item: ").append(fmt(r.runItemBytes(), 0)).append(" bytes after a single-step run, ")
                .append(fmt(r.threeStepRunItemBytes(), 0)).append(" after a three-step run (1 WRU per KB written).\n\n");
        for (dev.kickoff.bench.cost.CostBench.Scenario sc : r.scenarios()) {
            md.append("**").append(sc.name()).append("** (").append(sc.runs()).append(" runs, ")
                    .append(sc.workerInvocations()).append(" worker invocations; API invocation p50 ")
                    .append(fmt(sc.apiMillis().median(), 1)).append(" ms, worker invocation p50 ")
                    .append(fmt(sc.workerMillis().median(), 1)).append(" ms, ").append(sc.streamsInvocations())
                    .append(" streams invocations, p50 ").append(fmt(sc.streamsMillis().median(), 1)).append(" ms; ")
                    .append(fmt(sc.logBytesPerRun(), 0)).append(" log bytes per run):\n\n");
            List<List<String>> rows = new ArrayList<>();
            for (int i = 0; i < sc.bill().size(); i++) {
                var line = sc.bill().get(i);
                var aws = sc.awsBill().get(i);
                rows.add(List.of(line.item(), fmt(line.perRun(), line.perRun() < 0.01 ? 8 : 3) + " " + line.unit(),
                        "$" + fmt(line.unitPrice() * (line.unit().equals("GB") || line.unit().equals("GB-s") ? 1 : 1e6),
                                line.unit().equals("GB-s") ? 10 : 3) + (line.unit().equals("GB") || line.unit().equals("GB-s")
                                ? " per " + line.unit() : " per million"),
                        money(line.perMillion()), money(aws.perMillion())));
            }
            rows.add(List.of("**total**", "", "", "**" + money(sc.total()) + "**", "**" + money(sc.awsTotal()) + "**"));
            md.append(table(List.of("item", "per run", "price", "$ per million runs", "durations × 2 (pessimistic)"), rows));
            double untraced = sc.bill().stream().filter(l -> !l.item().startsWith("X-Ray"))
                    .mapToDouble(dev.kickoff.bench.cost.CostModel.Line::perMillion).sum();
            double untracedAws = sc.awsBill().stream().filter(l -> !l.item().startsWith("X-Ray"))
                    .mapToDouble(dev.kickoff.bench.cost.CostModel.Line::perMillion).sum();
            md.append("\nWith `TracingMode=PassThrough` (no X-Ray traces): **").append(money(untraced)).append("** (")
                    .append(money(untracedAws)).append(" pessimistic).\n");
            md.append("\nRequests booked (per run): ");
            List<String> parts = new ArrayList<>();
            sc.api().forEach((k, v) -> parts.add("API " + k + " " + fmt((double) v.calls() / sc.runs(), 2)
                    + (v.capacityUnits() > 0 ? " (" + fmt(v.capacityUnits() / sc.runs(), 2) + " units)" : "")));
            sc.worker().forEach((k, v) -> parts.add("worker/event source " + k + " " + fmt((double) v.calls() / sc.runs(), 2)
                    + (v.capacityUnits() > 0 ? " (" + fmt(v.capacityUnits() / sc.runs(), 2) + " units)" : "")));
            sc.streams().forEach((k, v) -> parts.add("streams (metering, fan-out) " + k + " "
                    + fmt((double) v.calls() / sc.runs(), 2)
                    + (v.capacityUnits() > 0 ? " (" + fmt(v.capacityUnits() / sc.runs(), 2) + " units)" : "")));
            md.append(String.join("; ", parts)).append(".\n\n");
        }
        double sfnStandard1 = 3 * dev.kickoff.bench.cost.Prices.SFN_STANDARD_TRANSITION * 1e6;
        double sfnStandard3 = 5 * dev.kickoff.bench.cost.Prices.SFN_STANDARD_TRANSITION * 1e6;
        md.append("For comparison (orchestration alone, before any Lambda, API or database the steps themselves use): ")
                .append("Step Functions Standard at $25 per million state transitions is ").append(money(sfnStandard1))
                .append(" per million one-step runs (≈3 transitions) and ").append(money(sfnStandard3))
                .append(" for three steps (≈5); Express is ≈$1.00 per million requests plus duration (≈$1.7 all told ")
                .append("for a short workflow) and is not durable: an execution lives at most five minutes and its ")
                .append("history is not kept.\n");
        sections.add(md.toString());
    }

    /**
     * Writes this report's sections into {@code existing} (docs/benchmarks.md), each in place of the section of the
     * same number, leaving the others and the header as they are, and marks each replaced section with when it was
     * measured: a phase can be re-measured without re-running (or losing) the others.
     */
    public void splice(Path existing, Path out, List<String> phases) throws IOException {
        String md = Files.readString(existing, StandardCharsets.UTF_8);
        for (String section : sections) {
            String heading = section.substring(0, section.indexOf('\n'));
            String number = heading.substring(0, heading.indexOf('.') + 1);  // "## 3."
            int at = md.indexOf("\n" + number + " ");
            String note = "> Re-measured on " + started + " by `./kickoff bench " + String.join(" ", phases)
                    + " --splice`" + (quick ? " (**quick: meaningless**)" : "") + " (load average at start: " + loadAtStart
                    + "); the other sections are from the run named at the top.\n\n";
            String marked = heading + "\n\n" + note + section.substring(heading.length()).stripLeading();
            if (at < 0) {
                md = md.stripTrailing() + "\n\n" + marked;
                continue;
            }
            int end = md.indexOf("\n## ", at + 1);
            md = md.substring(0, at + 1) + marked + (end < 0 ? "" : "\n" + md.substring(end + 1));
        }
        Files.writeString(out, md, StandardCharsets.UTF_8);
    }

    public void write(Path out) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        if (quick) {
            md.append("> **Quick run (`--quick`): too few samples to mean anything; it only shows the harness works.**\n\n");
        }
        md.append(renderedFrom == null ? "Measured by `./kickoff bench` on " + started
                        : "Rendered by `./kickoff bench --render` on " + started + " from " + renderedFrom)
                .append(". How each figure is measured, and ")
                .append("what it means for AWS, is in [benchmarks-method.md](benchmarks-method.md); the scale ")
                .append("argument is in [scale.md](scale.md).\n\n");
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores (")
                .append(cpuModel()).append("), shared with other builds while measuring")
                .append(renderedFrom == null ? " (load average at start: " + loadAtStart + ")" : "")
                .append("; JDK ").append(System.getProperty("java.vendor")).append(' ')
                .append(System.getProperty("java.runtime.version")).append("; ").append(osName()).append(".\n\n");
        md.append("Every figure is a ratio against a baseline measured in the same run: these machines are noisy, ")
                .append("so compare ratios between runs, not milliseconds.\n\n");
        sections.stream().sorted(java.util.Comparator.comparing(s -> s.substring(0, Math.min(6, s.length()))))
                .forEach(s -> md.append(s).append('\n'));
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse(System.getProperty("os.arch"));
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

    static String osName() {
        try (Stream<String> lines = Files.lines(Path.of("/etc/os-release"))) {
            String pretty = lines.filter(l -> l.startsWith("PRETTY_NAME=")).map(l -> l.substring(12).replace("\"", ""))
                    .findFirst().orElse(System.getProperty("os.name"));
            return pretty + ", Linux " + System.getProperty("os.version");
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.name") + " " + System.getProperty("os.version");
        }
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.0f %%", v * 100);
    }

    static String money(double v) {
        return String.format(Locale.ROOT, "$%.2f", v);
    }

    static String table(List<String> header, List<List<String>> rows) {
        StringBuilder md = new StringBuilder("| ").append(String.join(" | ", header)).append(" |\n|");
        header.forEach(h -> md.append("---|"));
        md.append('\n');
        rows.forEach(r -> md.append("| ").append(String.join(" | ", r)).append(" |\n"));
        return md.toString();
    }
}
