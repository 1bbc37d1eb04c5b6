package dev.kickoff.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Cold start of the API function: a fresh JVM per sample, timed from the moment this process launches it to the
 * moment the child reports its first {@code POST …/runs} answered with 201 (handler constructed, token checked,
 * DynamoDB write, SQS send, against the emulators this process hosts on loopback). Subjects are interleaved round
 * by round, each round in a rotated order, so that machine noise spreads over all of them alike; the baseline
 * is a bare handler making the same AWS calls with the same SDK ({@code bench/bare}).
 *
 * <p>Every child gets the API function's template environment (including its {@code JAVA_TOOL_OPTIONS}), AWS
 * credentials and endpoints as environment variables, and JVM flags approximating Lambda's managed Java runtime
 * (serial GC, heap capped below the function's memory). Variants add what the ecosystem offers on top: an AppCDS
 * archive or a JDK 25 AOT cache trained by one earlier run of the same subject, or a different JIT setting.
 */
public final class ColdStartBench {
    /** JVM flags every child gets: close to Lambda's java21 launcher for a 1024 MB function. */
    static final List<String> LAMBDA_LIKE_FLAGS = List.of("-XX:+UseSerialGC", "-Xmx870m",
            "-XX:MaxMetaspaceSize=256m");

    /** How a variant's JVM is started. */
    public record Variant(String name, String description, List<Path> classpath, String handler,
                          List<String> extraFlags, boolean templateToolOptions, Training training) {
        boolean baseline() {
            return handler.endsWith("BareApiHandler");
        }
    }

    /** An archive made by one training run of the same subject, then used by every sample. */
    public record Training(List<String> dumpFlags, List<String> useFlags, Path archive) {
    }

    /**
     * One launch: wall time to the first answer, the first request alone, main to end of init, peak RSS, priming, and
     * the child's CPU time and loaded classes at its answer (taken after it, so the reading's own are not in them).
     */
    public record Sample(double wallMs, double firstMs, double initMs, double hwmMb, double primeMs, double cpuMs,
                         double classes) {
    }

    public record Result(Variant variant, List<Sample> samples) {
        public Stats wall() {
            return Stats.of(samples.stream().map(Sample::wallMs).toList());
        }

        public Stats first() {
            return Stats.of(samples.stream().map(Sample::firstMs).toList());
        }

        public Stats init() {
            return Stats.of(samples.stream().map(Sample::initMs).toList());
        }

        public Stats hwm() {
            return Stats.of(samples.stream().map(Sample::hwmMb).toList());
        }

        public Stats cpu() {
            return Stats.of(samples.stream().map(Sample::cpuMs).toList());
        }

        public Stats classes() {
            return Stats.of(samples.stream().map(Sample::classes).toList());
        }
    }

    private static final Pattern FIELD = Pattern.compile("(\\w+)=([\\d.]+)");

    private final Path javaBin;
    private final Map<String, String> environment;
    private final long workflowId;
    private final String apiToken;
    private final Path logFile;
    /** Each child's CPU limit (the memory phase), or null: unlimited. */
    private final CpuQuota quota;

    /**
     * @param environment the child's whole environment (function environment, credentials, endpoints)
     * @param logFile     where the children's stdout and stderr go (for diagnosis)
     */
    public ColdStartBench(Map<String, String> environment, long workflowId, String apiToken, Path logFile) {
        this(environment, workflowId, apiToken, logFile, null);
    }

    private ColdStartBench(Map<String, String> environment, long workflowId, String apiToken, Path logFile,
                           CpuQuota quota) {
        this.javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        this.environment = environment;
        this.workflowId = workflowId;
        this.apiToken = apiToken;
        this.logFile = logFile;
        this.quota = quota;
    }

    /** The same benchmark with every child limited to the quota's CPU share. */
    ColdStartBench under(CpuQuota limit) {
        return new ColdStartBench(environment, workflowId, apiToken, logFile, limit);
    }

    public List<Result> run(List<Variant> variants, int rounds) throws IOException, InterruptedException {
        for (Variant v : variants) {
            if (v.training() != null) {
                Files.deleteIfExists(v.training().archive());
                launch(v, v.training().dumpFlags(), 1);
                if (!Files.exists(v.training().archive())) {
                    throw new IllegalStateException("training run of " + v.name() + " made no " + v.training().archive());
                }
            }
            launch(v, useFlags(v), 1);  // unmeasured: page cache, archive mapping
        }
        Map<Variant, List<Sample>> samples = new LinkedHashMap<>();
        variants.forEach(v -> samples.put(v, new ArrayList<>()));
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < variants.size(); i++) {
                Variant v = variants.get((i + round) % variants.size());
                samples.get(v).add(launch(v, useFlags(v), 1));
            }
        }
        List<Result> results = new ArrayList<>();
        samples.forEach((v, s) -> results.add(new Result(v, s)));
        return results;
    }

    private static List<String> useFlags(Variant v) {
        return v.training() == null ? List.of() : v.training().useFlags();
    }

    /** One fresh JVM: launch, wait for its PROBE line, read its numbers. */
    Sample launch(Variant v, List<String> archiveFlags, int requests) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(javaBin.toString());
        command.addAll(LAMBDA_LIKE_FLAGS);
        command.addAll(v.extraFlags());
        String investigate = System.getProperty("bench.cold.flags");  // e.g. -Xlog:class+load while investigating
        if (investigate != null && !investigate.isBlank()) {
            command.addAll(List.of(investigate.split(" ")));
        }
        command.addAll(archiveFlags);
        command.add("-cp");
        command.add(String.join(java.io.File.pathSeparator, v.classpath().stream().map(Path::toString).toList()));
        command.add("dev.kickoff.bench.probe.ColdStartProbe");
        command.add(v.handler());
        command.add(Long.toString(workflowId));
        command.add(apiToken);
        command.add(Integer.toString(requests));

        ProcessBuilder builder = new ProcessBuilder(quota == null ? command : quota.wrap(command));
        builder.environment().clear();
        builder.environment().putAll(environment);
        if (!v.templateToolOptions()) {
            builder.environment().remove("JAVA_TOOL_OPTIONS");
        }
        builder.redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        long start = System.nanoTime();
        Process process = builder.start();
        String probe = null;
        List<String> output = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("PROBE")) {
                    probe = line;
                    break;
                }
                output.add(line);
            }
            long wall = System.nanoTime() - start;
            // Drain whatever the child prints while it exits.
            while (out.readLine() != null) {
                // discard
            }
            long drained = System.nanoTime() - start;
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            long exited = System.nanoTime() - start;
            Files.writeString(logFile, "== " + v.name() + " " + archiveFlags + "\n" + String.join("\n", output)
                            + "\n" + probe + String.format(" (answered %.0f ms, stdout closed %.0f ms, exited %.0f ms)",
                            wall / 1e6, drained / 1e6, exited / 1e6) + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.APPEND,
                    java.nio.file.StandardOpenOption.CREATE);
            if (probe == null || !probe.startsWith("PROBE ")) {
                throw new IllegalStateException(v.name() + " did not answer its first request (" + probe
                        + "); see " + logFile);
            }
            Map<String, Double> fields = new HashMap<>();
            Matcher m = FIELD.matcher(probe);
            while (m.find()) {
                fields.put(m.group(1), Double.parseDouble(m.group(2)));
            }
            return new Sample(wall / 1e6, fields.getOrDefault("first_ms", Double.NaN),
                    fields.getOrDefault("main_to_init_ms", Double.NaN), fields.getOrDefault("hwm_kb", 0.0) / 1024,
                    fields.getOrDefault("prime_ms", 0.0), fields.getOrDefault("cpu_ms", Double.NaN),
                    fields.getOrDefault("classes", Double.NaN));
        } finally {
            process.destroy();
        }
    }

    /** The jar holding {@link dev.kickoff.bench.probe.ColdStartProbe}, put beside every subject. */
    static Path probeJar(Path root) throws IOException {
        try (Stream<Path> jars = Files.list(root.resolve("bench/bare/target"))) {
            return jars.filter(p -> p.getFileName().toString().matches("kickoff-bench-bare-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("build bench/bare first (./kickoff bench does)"));
        }
    }

    /** The API function as deployed, with extra JVM flags (the memory phase's heap for each size). */
    static Variant deployedApi(Path root, String name, String description, List<String> extraFlags)
            throws IOException {
        return new Variant(name, description, List.of(root.resolve("functions/api/target/kickoff-api.jar"),
                probeJar(root)), "dev.kickoff.api.ApiHandler", extraFlags, true, null);
    }

    /** The standard set of subjects: baseline and API, as deployed and with each start-up aid. */
    public static List<Variant> standardVariants(Path root, Path work) throws IOException {
        Path bare = root.resolve("bench/bare/target/bare-handler.jar");
        Path probe = probeJar(root);
        Path api = root.resolve("functions/api/target/kickoff-api.jar");
        String bareHandler = "dev.kickoff.bench.bare.BareApiHandler";
        String apiHandler = "dev.kickoff.api.ApiHandler";
        List<Path> bareCp = List.of(bare);
        List<Path> apiCp = List.of(api, probe);
        List<Variant> variants = new ArrayList<>();
        String other = System.getProperty("bench.cold.compare");
        variants.add(new Variant("bare", "bare handler, template flags (baseline)", bareCp, bareHandler, List.of(), true,
                null));
        variants.add(new Variant("api", "API function as deployed (kickoff-api.jar, template flags)", apiCp, apiHandler,
                List.of(), true, null));
        variants.add(new Variant("bare-c2", "bare handler, default tiered JIT (no TieredStopAtLevel=1)", bareCp,
                bareHandler, List.of(), false, null));
        variants.add(new Variant("api-c2", "API function, default tiered JIT (no TieredStopAtLevel=1)", apiCp,
                apiHandler, List.of(), false, null));
        variants.add(new Variant("bare-appcds", "bare handler + AppCDS archive", bareCp, bareHandler, List.of(), true,
                cds(work.resolve("bare.jsa"))));
        variants.add(new Variant("api-appcds", "API function + AppCDS archive", apiCp, apiHandler, List.of(), true,
                cds(work.resolve("api.jsa"))));
        variants.add(new Variant("bare-primed", "bare handler, primed at init (what SnapStart restores)", bareCp,
                bareHandler, List.of("-Dprobe.prime=true"), true, null));
        // The API function's hooks run through org.crac, pointed at the probe's stand-in for a CRaC JVM.
        List<String> snapStart = List.of("-Dprobe.prime=true", "-Dorg.crac.Core.Compat=dev.kickoff.bench.probe.crac");
        variants.add(new Variant("api-primed", "API function after its SnapStart hooks ran at init", apiCp, apiHandler,
                snapStart, true, null));
        if (other != null && !other.isBlank()) {
            variants.add(new Variant("api-compare-primed", "the jar in bench.cold.compare, after its SnapStart hooks",
                    List.of(Path.of(other), probe), apiHandler, snapStart, true, null));
        }
        try {
            Path aot = MicronautAot.generate(api, work, work.resolve("micronaut-aot.log"));
            List<Path> aotCp = List.of(aot, api, probe);
            variants.add(new Variant("api-mnaot", "API function + Micronaut AOT (generated classes first on the classpath)",
                    aotCp, apiHandler, List.of(), true, null));
            variants.add(new Variant("api-mnaot+primed", "API function + Micronaut AOT, after its SnapStart hooks",
                    aotCp, apiHandler, snapStart, true, null));
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("Micronaut AOT variant skipped: " + e.getMessage());
        }
        // While investigating: another build of the API jar (e.g. main's, copied aside) beside this one, in the same
        // run, so a change is compared against the same-run baseline rather than against an earlier run's figures.
        if (other != null && !other.isBlank()) {
            variants.add(new Variant("api-compare", "API function, the jar in bench.cold.compare (" + other + ")",
                    List.of(Path.of(other), probe), apiHandler, List.of(), true, null));
        }
        if (Runtime.version().feature() >= 25) {
            variants.add(new Variant("bare-aotcache", "bare handler + JDK 25 AOT cache", bareCp, bareHandler, List.of(),
                    true, aot(work.resolve("bare.aot"))));
            variants.add(new Variant("api-aotcache", "API function + JDK 25 AOT cache", apiCp, apiHandler, List.of(),
                    true, aot(work.resolve("api.aot"))));
        }
        return variants;
    }

    static Training cds(Path archive) {
        return new Training(List.of("-XX:ArchiveClassesAtExit=" + archive), List.of("-XX:SharedArchiveFile=" + archive),
                archive);
    }

    static Training aot(Path cache) {
        return new Training(List.of("-XX:AOTCacheOutput=" + cache), List.of("-XX:AOTCache=" + cache), cache);
    }
}
