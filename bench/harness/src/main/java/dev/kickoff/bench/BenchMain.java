package dev.kickoff.bench;

import dev.kickoff.emulators.AwsEndpoints;
import dev.kickoff.emulators.CloudFormationTemplate;
import dev.kickoff.emulators.LocalDynamoDb;
import dev.kickoff.emulators.LocalSqs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./kickoff bench}: runs the benchmarks and writes docs/benchmarks.md. This process hosts DynamoDB Local
 * and ElasticMQ on loopback for the cold-start and trigger-path benchmarks and launches the subjects as child
 * JVMs, so that the emulators' own JIT and GC settings never mix with the function's.
 *
 * <p>Arguments: any of {@code cold trigger e2e cost paths memory} (default: all), {@code --quick} for a short run that only
 * checks the harness works (its numbers are not worth writing down), {@code --out FILE} (default
 * docs/benchmarks.md), {@code --splice} (also write the measured phases' sections into docs/benchmarks.md in place of
 * theirs, keeping the other sections).
 */
public final class BenchMain {
    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (Exception e) {
            // Exit now: the embedded DynamoDB Local leaves non-daemon threads that would keep a failed run hanging.
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    static void run(String[] args) throws Exception {
        List<String> phases = new ArrayList<>();
        boolean quick = false;
        boolean render = false;  // re-render docs/benchmarks.md from the last run's results, measuring nothing
        boolean splice = false;  // put the measured phases' sections into docs/benchmarks.md, keeping the others
        Path root = CloudFormationTemplate.locate().toAbsolutePath().getParent();
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--render" -> render = true;
                case "--splice" -> splice = true;
                case "--out" -> out = Path.of(args[++i]);
                default -> phases.add(args[i]);
            }
        }
        if (phases.isEmpty()) {
            phases.addAll(List.of("cold", "trigger", "e2e", "cost", "paths", "memory"));
        }
        Path work = root.resolve("bench/harness/target/bench");
        Files.createDirectories(work);
        boolean complete = phases.containsAll(List.of("cold", "trigger", "e2e", "cost"));
        if (out == null) {
            // Only a complete, full-length run (or a re-render of one) replaces the committed results.
            out = (complete && !quick) || render ? root.resolve("docs/benchmarks.md")
                    : work.resolve("benchmarks-" + (quick ? "quick-" : "") + String.join("-", phases) + ".md");
        }
        Report report = new Report(root, quick);
        if (render) {
            report.renderedFrom(work);
        }

        if (render) {
            renderSaved(report, work, phases);
            report.write(out);
            System.out.println("wrote " + out + " from the results in " + work);
            return;
        }
        // Fresh emulators for each phase: what one phase leaves in DynamoDB Local must not slow the next.
        if (phases.contains("cold")) {
            try (Emulators emulators = Emulators.start()) {
                BenchStack stack = BenchStack.provision(emulators.endpoints(), "bench-cold");
                long workflow = stack.publish(BenchStack.ONE_STEP);
                ColdStartBench bench = new ColdStartBench(childEnvironment(stack), workflow, stack.apiToken,
                        work.resolve("cold-start.log"));
                Files.deleteIfExists(work.resolve("cold-start.log"));
                int rounds = quick ? 1 : Integer.getInteger("bench.cold.rounds", 7);
                System.out.println("cold start: " + rounds + " rounds ...");
                List<ColdStartBench.Variant> variants = ColdStartBench.standardVariants(root, work);
                String only = System.getProperty("bench.cold.only");  // e.g. "bare,api" while investigating
                if (only != null) {
                    List<String> names = List.of(only.split(","));
                    variants = variants.stream().filter(v -> names.contains(v.name())).toList();
                }
                List<ColdStartBench.Result> cold = bench.run(variants, rounds);
                JSON.writeValue(work.resolve("cold.json").toFile(), cold);
                report.coldStart(cold);
            }
        }
        // The function's own JVM flags, from the template, for the phases that run its code warm.
        List<String> functionFlags = new ArrayList<>(ColdStartBench.LAMBDA_LIKE_FLAGS);
        functionFlags.addAll(templateToolOptions());
        if (phases.contains("trigger")) {
            int calls = quick ? 200 : Integer.getInteger("bench.trigger.calls", 3000);
            System.out.println("trigger path: " + calls + " calls per mode ...");
            Path result = work.resolve("trigger.json");
            try (Emulators emulators = Emulators.start()) {
                child(TriggerPathBench.class, functionFlags, List.of(emulators.dynamoUrl(), emulators.sqsUrl(),
                        result.toString(), Integer.toString(calls)), work.resolve("trigger.log"));
            }
            TriggerPathBench.Result c1 = JSON.readValue(result.toFile(), TriggerPathBench.Result.class);
            // The same with the JVM's default tiered JIT, to weigh the template's C1-only flag when warm.
            Path resultC2 = work.resolve("trigger-c2.json");
            try (Emulators emulators = Emulators.start()) {
                child(TriggerPathBench.class, ColdStartBench.LAMBDA_LIKE_FLAGS, List.of(emulators.dynamoUrl(),
                        emulators.sqsUrl(), resultC2.toString(), Integer.toString(calls)), work.resolve("trigger-c2.log"));
            }
            report.triggerPath(c1, JSON.readValue(resultC2.toFile(), TriggerPathBench.Result.class));
        }
        if (phases.contains("cost")) {
            int runs = quick ? 20 : Integer.getInteger("bench.cost.runs", 500);
            System.out.println("cost: " + runs + " runs per scenario ...");
            Path result = work.resolve("cost.json");
            try (Emulators emulators = Emulators.start()) {
                child(dev.kickoff.bench.cost.CostBench.class, functionFlags, List.of(emulators.dynamoUrl(),
                        emulators.sqsUrl(), result.toString(), Integer.toString(runs)), work.resolve("cost.log"),
                        System.getProperty("bench.cost.logconfig", "log4j2.xml"),
                        // what Lambda sets: metrics are then written as on Lambda (EMF on stdout), and counted
                        Map.of("AWS_LAMBDA_FUNCTION_NAME", "kickoff-prod-WorkerFunction",
                                "AWS_LAMBDA_FUNCTION_VERSION", "1",
                                "AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/kickoff-prod-WorkerFunction"));
            }
            report.cost(JSON.readValue(result.toFile(), dev.kickoff.bench.cost.CostBench.Result.class));
        }
        if (phases.contains("e2e")) {
            int runs = quick ? 50 : 1000;
            System.out.println("end to end: " + runs + " runs ...");
            Path result = work.resolve("e2e.json");
            List<String> flags = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow"));
            child(EndToEndBench.class, flags, List.of(result.toString(), Integer.toString(runs),
                    System.getProperty("bench.e2e.rate", "20"), quick ? "10" : "100", quick ? "200" : "3000",
                    System.getProperty("bench.e2e.clients", "8"), System.getProperty("bench.e2e.pollers", "2"),
                    quick ? "20" : System.getProperty("bench.e2e.stepRuns", "300")),
                    work.resolve("e2e.log"));
            report.endToEnd(JSON.readValue(result.toFile(), EndToEndBench.Result.class));
        }
        if (phases.contains("paths")) {
            // Issue 16's new paths (signal, delay wake-up, Prefer: wait), on the same local stack as e2e.
            int signalRuns = quick ? 20 : Integer.getInteger("bench.paths.signalRuns", 200);
            int delayRuns = quick ? 20 : Integer.getInteger("bench.paths.delayRuns", 100);
            int waitRuns = quick ? 20 : Integer.getInteger("bench.paths.waitRuns", 150);
            System.out.println("new paths: " + signalRuns + " signalled runs, " + delayRuns + " delayed runs per delay, "
                    + waitRuns + " runs per way of waiting ...");
            Path result = work.resolve("paths.json");
            child(PathsBench.class, List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"),
                    List.of(result.toString(), Integer.toString(signalRuns), Integer.toString(delayRuns),
                            Integer.toString(waitRuns), System.getProperty("bench.paths.rate", "20"),
                            System.getProperty("bench.e2e.pollers", "2"), System.getProperty("bench.paths.delays", "PT2S,PT2.5S"),
                            System.getProperty("bench.paths.pollMs", "1,100")),
                    work.resolve("paths.log"));
            report.paths(JSON.readValue(result.toFile(), PathsBench.Result.class));
        }
        if (phases.contains("memory")) {
            MemoryCurve.Result curve = MemoryCurve.run(root, work, quick, functionFlags);
            JSON.writeValue(work.resolve("memory.json").toFile(), curve);
            report.memory(curve);
        }
        if (splice) {
            // A quick run's numbers mean nothing: spliced into a copy, never into the committed results.
            Path docs = root.resolve("docs/benchmarks.md");
            Path into = quick ? work.resolve("benchmarks-spliced-quick.md") : docs;
            report.splice(docs, into, phases);
            System.out.println("wrote the " + String.join(", ", phases) + " section(s) into " + into);
        }
        report.write(out);
        System.out.println("wrote " + out);
        System.exit(0);  // the emulators leave non-daemon threads behind
    }

    private static void renderSaved(Report report, Path work, List<String> phases) throws Exception {
        if (phases.contains("cold")) {
            report.coldStart(List.of(JSON.readValue(work.resolve("cold.json").toFile(), ColdStartBench.Result[].class)));
        }
        if (phases.contains("trigger")) {
            report.triggerPath(JSON.readValue(work.resolve("trigger.json").toFile(), TriggerPathBench.Result.class),
                    JSON.readValue(work.resolve("trigger-c2.json").toFile(), TriggerPathBench.Result.class));
        }
        if (phases.contains("cost")) {
            report.cost(JSON.readValue(work.resolve("cost.json").toFile(), dev.kickoff.bench.cost.CostBench.Result.class));
        }
        if (phases.contains("e2e")) {
            report.endToEnd(JSON.readValue(work.resolve("e2e.json").toFile(), EndToEndBench.Result.class));
        }
        if (phases.contains("paths") && Files.exists(work.resolve("paths.json"))) {
            report.paths(JSON.readValue(work.resolve("paths.json").toFile(), PathsBench.Result.class));
        }
        if (phases.contains("memory")) {
            report.memory(JSON.readValue(work.resolve("memory.json").toFile(), MemoryCurve.Result.class));
        }
    }

    static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Runs {@code main} in a child JVM on this classpath; its output goes to {@code log}. */
    static void child(Class<?> main, List<String> jvmFlags, List<String> args, Path log) throws Exception {
        child(main, jvmFlags, args, log, System.getProperty("log4j2.configurationFile", "kickoff-bench-log4j2.xml"));
    }

    /** @param logConfig the log4j2 configuration the child uses (the functions' own is {@code log4j2.xml}) */
    static void child(Class<?> main, List<String> jvmFlags, List<String> args, Path log, String logConfig)
            throws Exception {
        child(main, jvmFlags, args, log, logConfig, Map.of());
    }

    /** @param environment added to this process's environment for the child */
    static void child(Class<?> main, List<String> jvmFlags, List<String> args, Path log, String logConfig,
                      Map<String, String> environment) throws Exception {
        child(main, jvmFlags, args, log, logConfig, environment, null);
    }

    /** @param quota the child's CPU limit, or null */
    static void child(Class<?> main, List<String> jvmFlags, List<String> args, Path log, String logConfig,
                      Map<String, String> environment, CpuQuota quota) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        String investigate = System.getProperty("bench.child.flags");  // e.g. a JFR recording while investigating
        if (investigate != null && !investigate.isBlank()) {
            command.addAll(List.of(investigate.split(" ")));
        }
        command.add("-Dlog4j2.configurationFile=" + logConfig);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(quota == null ? command : quota.wrap(command))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(main.getSimpleName() + " failed (exit " + process.exitValue() + "); see "
                    + log);
        }
    }

    /** DynamoDB Local and ElasticMQ on loopback, in this process, for one phase. */
    record Emulators(LocalDynamoDb dynamo, LocalSqs sqs) implements AutoCloseable {
        static Emulators start() {
            return new Emulators(LocalDynamoDb.start(null, 0), LocalSqs.start(0));
        }

        AwsEndpoints endpoints() {
            return AwsEndpoints.local(dynamo.endpoint(), sqs.endpoint());
        }

        String dynamoUrl() {
            return dynamo.endpoint().toString();
        }

        String sqsUrl() {
            return sqs.endpoint().toString();
        }

        @Override
        public void close() {
            sqs.close();
            dynamo.close();
        }
    }

    /** The API function's {@code JAVA_TOOL_OPTIONS}, as template.yaml sets them (Globals and the function). */
    static List<String> templateToolOptions() {
        try (Emulators emulators = Emulators.start()) {
            AwsEndpoints e = emulators.endpoints();
            String options = dev.kickoff.emulators.FunctionSpec.of("ApiFunction", new dev.kickoff.emulators.Provisioner(
                    e.dynamoDbClient(), e.sqsClient()).provision(CloudFormationTemplate.load(CloudFormationTemplate
                    .locate()), "bench-flags", e.region())).environment().getOrDefault("JAVA_TOOL_OPTIONS", "");
            return List.of(options.split("\\s+")).stream().filter(f -> !f.isBlank()).toList();
        }
    }

    /** A Lambda-like environment for a child JVM running the API function against these emulators. */
    static Map<String, String> childEnvironment(BenchStack stack) {
        AwsEndpoints e = stack.endpoints;
        Map<String, String> env = new HashMap<>(stack.apiEnvironment);
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("TZ", ":UTC");
        env.put("LANG", "en_US.UTF-8");
        env.put("AWS_REGION", e.region());
        env.put("AWS_DEFAULT_REGION", e.region());
        env.put("AWS_ACCESS_KEY_ID", e.accessKey());
        env.put("AWS_SECRET_ACCESS_KEY", e.secretKey());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", e.dynamoDb().toString());
        env.put("AWS_ENDPOINT_URL_SQS", e.sqs().toString());
        env.put("AWS_LAMBDA_FUNCTION_NAME", "ApiFunction");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        return env;
    }
}
