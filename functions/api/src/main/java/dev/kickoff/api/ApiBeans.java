package dev.kickoff.api;

import dev.kickoff.core.auth.TokenService;
import dev.kickoff.core.cases.CaseService;
import dev.kickoff.core.limit.ExecuteRateLimiter;
import dev.kickoff.core.run.RunService;
import dev.kickoff.core.webhook.WebhookService;
import dev.kickoff.core.workflow.WorkflowService;
import dev.kickoff.runtime.KickoffRuntime;
import dev.kickoff.runtime.Settings;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;


/**
 * Exposes the composition root's services to the controllers. The root itself ({@link KickoffRuntime}) is
 * registered by {@link ApiHandler}; nothing here builds it, so several functions' beans can share one classpath
 * (the local stack) without competing definitions.
 */
@Factory
public class ApiBeans {
    @Singleton
    Settings settings(KickoffRuntime runtime) {
        return runtime.settings();
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
    ExecuteRateLimiter executeLimits(KickoffRuntime runtime) {
        return runtime.executeLimits();
    }

    @Singleton
    WorkflowService workflows(KickoffRuntime runtime) {
        return runtime.workflows();
    }

    @Singleton
    CaseService cases(KickoffRuntime runtime) {
        return runtime.cases();
    }

    @Singleton
    WebhookService webhooks(KickoffRuntime runtime) {
        return runtime.webhooks();
    }
}
