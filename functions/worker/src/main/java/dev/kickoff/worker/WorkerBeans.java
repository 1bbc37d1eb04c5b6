package dev.kickoff.worker;

import dev.kickoff.runtime.KickoffRuntime;
import dev.kickoff.runtime.Settings;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.Map;

@Factory
public class WorkerBeans {
    @Singleton
    @Requires(missingBeans = Settings.class)
    Settings settings() {
        return Settings.fromEnvironment(Map.of());
    }

    @Singleton
    KickoffRuntime runtime(Settings settings) {
        return new KickoffRuntime(settings);
    }

    @Singleton
    RunWorker worker(KickoffRuntime runtime) {
        return new RunWorker(runtime);
    }
}
