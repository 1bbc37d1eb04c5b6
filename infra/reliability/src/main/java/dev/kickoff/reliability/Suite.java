package dev.kickoff.reliability;

import java.nio.file.Path;

/**
 * What every phase shares: the options (seed, size), the report it adds figures to, the API contract, and where
 * stacks keep their data and logs.
 *
 * @param work the run's directory under /tmp (data dirs and logs of every stack)
 */
record Suite(Options options, Report report, Contract contract, Path work) {
    long seed() {
        return options.seed();
    }

    boolean quick() {
        return options.quick();
    }

    /** A seed of its own for each phase, derived from the run's. */
    long seed(String phase) {
        return options.seed() * 31 + phase.hashCode();
    }

    Path logs() {
        return work.resolve("logs");
    }
}
