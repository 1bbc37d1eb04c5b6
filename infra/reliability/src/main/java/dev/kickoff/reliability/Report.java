package dev.kickoff.reliability;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The suite's figures. A <em>correctness</em> figure gates (a lost run, a 5xx, a leak: anything but its expected value
 * fails the run, exit 1); a <em>performance</em> figure (rates, latencies, recovery times) is reported and never gates,
 * because the machines this runs on are shared. Rendered as a console table and as docs/reliability.md.
 */
final class Report {
    /**
     * @param gated  whether the figure decides the exit status
     * @param ok     for a gated figure, whether it holds
     * @param detail what a failure was (the first few cases), or how a figure was measured
     */
    record Figure(String phase, String name, String value, boolean gated, boolean ok, String detail, List<String> all) {
        Figure(String phase, String name, String value, boolean gated, boolean ok, String detail) {
            this(phase, name, value, gated, ok, detail, List.of());
        }
    }

    /** A defect the suite found and did not fix: what was sent, what came back, what was expected. */
    record Known(String title, String request, String answer, String expected, String where) {
    }

    private final Options options;
    private final Instant started = Instant.now();
    private final String loadAtStart = loadAverage();
    private final List<Figure> figures = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, StringBuilder> sections = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<Known> known = Collections.synchronizedList(new ArrayList<>());
    private final List<String> phaseErrors = Collections.synchronizedList(new ArrayList<>());

    Report(Options options) {
        this.options = options;
    }

    /** A correctness figure that must be zero: a count of things that went wrong. */
    Figure zero(String phase, String name, long count, List<String> examples) {
        String detail = examples == null || examples.isEmpty() ? "" : String.join("; ", examples.stream().limit(5).toList())
                + (examples.size() > 5 ? "; … (" + examples.size() + " in all)" : "");
        return add(new Figure(phase, name, Long.toString(count), true, count == 0, detail,
                examples == null ? List.of() : List.copyOf(examples)));
    }

    /** A correctness figure: a condition that must hold, shown with its value. */
    Figure check(String phase, String name, String value, boolean ok, String detail) {
        return add(new Figure(phase, name, value, true, ok, detail == null ? "" : detail));
    }

    /** A performance (or informational) figure: reported, never gated. */
    Figure measure(String phase, String name, String value, String detail) {
        return add(new Figure(phase, name, value, false, true, detail == null ? "" : detail));
    }

    private Figure add(Figure f) {
        figures.add(f);
        System.out.printf("  %-11s %-58s %14s %s%n", f.phase(), f.name(), f.value(),
                !f.gated() ? (f.detail().isEmpty() ? "" : "(" + f.detail() + ")") : f.ok() ? "ok" : "FAIL " + f.detail());
        return f;
    }

    /** Markdown for a phase's section in the report (tables of curves, per-kill recovery, …). */
    void section(String phase, String markdown) {
        sections.computeIfAbsent(phase, k -> new StringBuilder()).append(markdown).append('\n');
    }

    void known(Known k) {
        known.add(k);
    }

    /** A phase that could not complete: a failure of the run, with its reason. */
    void phaseFailed(String phase, Throwable e) {
        String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
        phaseErrors.add(phase + ": " + reason);
        check(phase, "phase completed", "no", false, reason);
    }

    List<Figure> figures() {
        return List.copyOf(figures);
    }

    boolean passed() {
        return figures.stream().allMatch(f -> !f.gated() || f.ok());
    }

    List<Figure> failures() {
        return figures.stream().filter(f -> f.gated() && !f.ok()).toList();
    }

    void printTable(PrintStream out) {
        out.println();
        out.printf("%-11s %-58s %14s  %s%n", "phase", "figure", "value", "gate");
        out.println("-".repeat(100));
        for (Figure f : figures()) {
            out.printf("%-11s %-58s %14s  %s%n", f.phase(), f.name(), f.value(), !f.gated() ? "-" : f.ok() ? "ok" : "FAIL");
        }
        out.println("-".repeat(100));
        List<Figure> failed = failures();
        if (failed.isEmpty()) {
            out.println("All correctness figures hold (seed " + options.seed() + ").");
        } else {
            out.println(failed.size() + " correctness figure(s) off (seed " + options.seed() + "; replay: "
                    + options.command() + "):");
            failed.forEach(f -> out.println("  " + f.phase() + " / " + f.name() + " = " + f.value() + ": " + f.detail()));
        }
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        Instant ended = Instant.now();
        md.append("# Reliability and security figures\n\n");
        md.append("Written by `").append(options.command()).append("` on ")
                .append(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC).format(started))
                .append(", in ").append(minutes(Duration.between(started, ended))).append(". ");
        md.append("What each phase does and how to run it: README, \"Reliability\". Correctness figures gate the run ")
                .append("(any off: exit 1); performance figures are reported only, because the machines are shared.\n\n");
        md.append("Machine: ").append(machine()).append("; load average ").append(loadAtStart).append(" at the start, ")
                .append(loadAverage()).append(" at the end");
        if (loadedAtStart()) {
            md.append(" — more than its cores: it was shared with other work, so the performance figures are those of a ")
                    .append("loaded machine, not of Kickoff alone");
        }
        md.append(".").append(options.note() == null ? "" : " " + options.note()).append("\n\n");
        if (options.quick()) {
            md.append("Size: **quick** (CI's size: 100 runs under 2 kills, 1,000 fuzzed requests, short load steps); a full ")
                    .append("run (`./kickoff reliability`) uses 1,000 runs under 8 kills and 10,000 fuzzed requests.\n\n");
        }
        md.append("Result: **").append(passed() ? "every correctness figure holds" : failures().size()
                + " correctness figure(s) off").append("**.\n\n");
        md.append("| phase | figure | value | gate |\n|---|---|---:|---|\n");
        for (Figure f : figures()) {
            md.append("| ").append(f.phase()).append(" | ").append(escape(f.name())).append(" | ").append(escape(f.value()))
                    .append(" | ").append(!f.gated() ? "–" : f.ok() ? "ok" : "**FAIL**: " + escape(f.detail()))
                    .append(" |\n");
        }
        md.append('\n');
        synchronized (sections) {
            for (Map.Entry<String, StringBuilder> e : sections.entrySet()) {
                md.append("## ").append(e.getKey()).append("\n\n").append(e.getValue()).append('\n');
            }
        }
        md.append("## Known\n\n");
        if (known.isEmpty() && phaseErrors.isEmpty()) {
            md.append("Nothing found that is not fixed.\n");
        }
        for (Known k : known) {
            md.append("* **").append(k.title()).append("** (").append(k.where()).append(")  \n  request: ")
                    .append(k.request()).append("  \n  answer: ").append(k.answer()).append("  \n  expected: ")
                    .append(k.expected()).append('\n');
        }
        for (String e : phaseErrors) {
            md.append("* phase did not complete: ").append(e).append('\n');
        }
        return md.toString();
    }

    void write(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, markdown(), StandardCharsets.UTF_8);
        Path cases = failuresFile(file);
        if (failures().isEmpty()) {
            Files.deleteIfExists(cases);
            return;
        }
        StringBuilder all = new StringBuilder("Every case of every failing figure (" + options.command() + ")\n");
        for (Figure f : failures()) {
            all.append("\n== ").append(f.phase()).append(" / ").append(f.name()).append(" = ").append(f.value()).append('\n');
            (f.all().isEmpty() ? List.of(f.detail()) : f.all()).forEach(line -> all.append(line).append('\n'));
        }
        Files.writeString(cases, all.toString(), StandardCharsets.UTF_8);
    }

    /** Where every case of the failing figures goes: next to the report, {@code <name>-failures.txt}. */
    static Path failuresFile(Path report) {
        String name = report.getFileName().toString();
        return report.resolveSibling(name.replaceFirst("\\.md$", "") + "-failures.txt");
    }

    static String escape(String s) {
        return s == null ? "" : s.replace("|", "\\|").replace("\n", " ");
    }

    static String minutes(Duration d) {
        long s = d.toSeconds();
        return s >= 60 ? (s / 60) + " min " + (s % 60) + " s" : s + " s";
    }

    static String machine() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown host";
        }
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).strip();
                    break;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: the CPU stays unnamed
        }
        return host + ", " + Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", JDK "
                + Runtime.version();
    }

    /** Whether the 1-minute load average at the start exceeded the machine's cores. */
    private boolean loadedAtStart() {
        try {
            return Double.parseDouble(loadAtStart.split(" ")[0]) > Runtime.getRuntime().availableProcessors();
        } catch (RuntimeException e) {
            return false;
        }
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
