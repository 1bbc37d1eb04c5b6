package dev.kickoff.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code ./kickoff reliability [--quick] [--seed N]}: starts local stacks as processes of their own and holds them to
 * the README's promises — crashes survived, duplicate deliveries harmless, failing webhook receivers served, bad input
 * refused, tenants isolated, secrets kept out of logs, the limiter exact — then prints a table of figures and writes
 * the report (docs/reliability.md for a full run). Exit 0 when every correctness figure holds, 1 when any is off,
 * 2 for a usage error.
 */
public final class ReliabilityMain {
    private ReliabilityMain() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("kickoff.root", ".")).toAbsolutePath().normalize();
        Options options;
        try {
            options = Options.parse(args, root);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        System.exit(run(options));
    }

    static int run(Options options) throws Exception {
        Report report = new Report(options);
        Path work = Files.createTempDirectory("reliability-");
        Suite suite = new Suite(options, report, Contract.load(options.root()), work);
        System.out.println("Kickoff reliability suite: " + options.command() + " (work in " + work + ")");
        int basePort = options.port();
        List<Stack> stacks = new ArrayList<>();
        long started = System.nanoTime();
        try {
            // The main stack: crashes first (on a fresh table), then the phases that need a stack that has been through them.
            Stack main = new Stack("main", options.root(), work.resolve("main"), suite.logs(), basePort,
                    Map.of("KICKOFF_WEBHOOK_RETRY_SCHEDULE", WebhookPhase.SCHEDULE));
            stacks.add(main);
            Duration first = main.start(Duration.ofMinutes(10));  // a deadline: a first start on a loaded machine is slow
            report.measure("stack", "first start of a stack (launch → ready), s", Report.fmt(first.toMillis() / 1000.0, 1),
                    null);
            phase(report, "crash", options, () -> new CrashPhase(suite, main).run());
            phase(report, "webhooks", options, () -> new WebhookPhase(suite, main).run());
            phase(report, "fuzz", options, () -> new FuzzPhase(suite, main).run());
            phase(report, "tenancy", options, () -> new TenancyPhase(suite, main).run());
            phase(report, "load", options, () -> new LoadPhase(suite, main).run());
            phase(report, "duplicates", options, () -> new DuplicatePhase(suite, main,
                    new Stack("chaos", options.root(), work.resolve("chaos"), suite.logs(), basePort == 0 ? 0 : basePort + 1,
                            Map.of("KICKOFF_LOCAL_DELIVERY_CHAOS", Long.toString(suite.seed("chaos")))), stacks).run());
            for (Stack s : stacks) {
                s.stop();
            }
            phase(report, "leaks", options, () -> new LeakPhase(suite, stacks).run());
        } finally {
            for (Stack s : stacks) {
                s.kill();
            }
        }
        report.measure("suite", "wall time", Report.minutes(Duration.ofNanos(System.nanoTime() - started)), null);
        report.printTable(System.out);
        report.write(options.out());
        System.out.println("Report: " + options.out());
        if (report.passed() && !options.keep()) {
            delete(work);
        } else {
            System.out.println("Stack data and logs kept in " + work);
        }
        return report.passed() ? 0 : 1;
    }

    interface Body {
        void run() throws Exception;
    }

    private static void phase(Report report, String name, Options options, Body body) {
        if (!options.runs(name)) {
            return;
        }
        System.out.println();
        System.out.println("== " + name);
        long t = System.nanoTime();
        try {
            body.run();
        } catch (Exception | AssertionError | StackOverflowError e) {
            // A phase that breaks fails the run, and the phases after it still run and report.
            String trace = java.util.Arrays.stream(e.getStackTrace()).limit(20).map(f -> "\tat " + f)
                    .collect(java.util.stream.Collectors.joining("\n"));
            System.out.println(e + "\n" + trace);
            report.phaseFailed(name, e);
        }
        report.measure(name, "phase wall time", Report.minutes(Duration.ofNanos(System.nanoTime() - t)), null);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
