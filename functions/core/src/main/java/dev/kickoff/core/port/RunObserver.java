package dev.kickoff.core.port;

import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.StepRecord;

import java.time.Duration;

/** Hooks for metrics and logs. Implementations must be cheap and must not throw. */
public interface RunObserver {
    RunObserver NONE = new RunObserver() {
    };

    default void runCreated(Run run) {
    }

    default void stepFinished(Run run, StepRecord step, Duration took) {
    }

    default void runFinished(Run run) {
    }

    /** Adds {@code n} to a named counter (e.g. {@code ExecuteRateLimited}); observers without metrics ignore it. */
    default void count(String metric, long n) {
    }
}
