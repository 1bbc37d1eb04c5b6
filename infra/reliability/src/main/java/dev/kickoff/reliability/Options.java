package dev.kickoff.reliability;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code ./kickoff reliability} was asked: the size of the run, the seed every random choice derives from, where
 * the report goes and which phases run.
 *
 * @param quick  CI's size: a few minutes (100 runs under kills, 1,000 fuzzed requests, short load steps)
 * @param seed   every workload, shuffle, kill time and fuzzed request derives from it; printed, so a run can be replayed
 * @param out    the report's path: docs/reliability.md for a full run, under target/ for a quick one
 * @param port   the first stack's API port (the next stacks take the next ones); 0 picks free ports
 * @param phases the phases to run, in the suite's order (all by default)
 * @param root   the repository (template.yaml, docs/openapi.yaml, the built classpaths)
 * @param keep   keep the stacks' data directories and logs (they are removed after a passing run)
 * @param note   a sentence the report prints beside the machine and its load (who else was using it), or null
 */
record Options(boolean quick, long seed, Path out, int port, Set<String> phases, Path root, boolean keep, String note) {
    static final List<String> PHASES = List.of("crash", "webhooks", "fuzz", "tenancy", "load", "duplicates", "leaks");

    static final String USAGE = """
            usage: ./kickoff reliability [--quick] [--seed N] [--only phase,...] [--out FILE] [--port N] [--keep] [--note TEXT]
              --quick   the CI size (a few minutes); without it, the full run that writes docs/reliability.md
              --seed N  replay a run: every workload, kill time, shuffle and fuzzed request derives from the seed
              --only    some of: crash, webhooks, fuzz, tenancy, load, duplicates, leaks
              --out     where the report goes (full: docs/reliability.md; quick: infra/reliability/target/reliability.md)
              --port N  the stacks' API ports start at N (default: free ports)
              --keep    keep the stacks' data directories and logs
              --note    a sentence the report prints beside the machine's load (e.g. what else ran on it)""";

    static Options parse(String[] args, Path root) {
        boolean quick = false;
        Long seed = null;
        Path out = null;
        int port = 0;
        boolean keep = false;
        String note = null;
        Set<String> phases = new LinkedHashSet<>(PHASES);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--quick" -> quick = true;
                case "--keep" -> keep = true;
                case "--note" -> note = value(args, ++i, a);
                case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--port" -> port = Integer.parseInt(value(args, ++i, a));
                case "--only" -> {
                    phases = new LinkedHashSet<>();
                    for (String p : value(args, ++i, a).split(",")) {
                        if (!PHASES.contains(p.strip())) {
                            throw new IllegalArgumentException("unknown phase '" + p + "'; phases: " + PHASES);
                        }
                        phases.add(p.strip());
                    }
                    Set<String> ordered = new LinkedHashSet<>();
                    for (String p : PHASES) {
                        if (phases.contains(p)) {
                            ordered.add(p);
                        }
                    }
                    phases = ordered;
                }
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        if (seed == null) {
            seed = System.currentTimeMillis() % 1_000_000;
        }
        if (out == null) {
            out = quick || phases.size() < PHASES.size()
                    ? root.resolve("infra/reliability/target/reliability.md") : root.resolve("docs/reliability.md");
        }
        return new Options(quick, seed, out.toAbsolutePath(), port, Set.copyOf(phases), root, keep, note);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    boolean runs(String phase) {
        return phases.contains(phase);
    }

    /** {@code full} or {@code quick} figures: the size of a run, by phase. */
    int size(int quickSize, int fullSize) {
        return quick ? quickSize : fullSize;
    }

    String command() {
        return "./kickoff reliability" + (quick ? " --quick" : "") + " --seed " + seed
                + (phases.size() < PHASES.size() ? " --only " + String.join(",",
                PHASES.stream().filter(phases::contains).toList()) : "");
    }
}
