package dev.kickoff.api;

import dev.kickoff.core.auth.TokenService;
import dev.kickoff.core.run.RunService;
import dev.kickoff.core.workflow.WorkflowService;
import dev.kickoff.runtime.KickoffRuntime;
import dev.kickoff.runtime.Settings;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.Map;

/** Exposes the composition root's services to the controllers. */
@Factory
public class ApiBeans {
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
    TokenService tokens(KickoffRuntime runtime) {
        return runtime.tokens();
    }

    @Singleton
    RunService runs(KickoffRuntime runtime) {
        return runtime.runs();
    }

    @Singleton
    WorkflowService workflows(KickoffRuntime runtime) {
        return runtime.workflows();
    }
}
