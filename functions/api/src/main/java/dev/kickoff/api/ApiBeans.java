package dev.kickoff.api;

import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.kickoff.core.auth.TokenService;
import dev.kickoff.core.cases.CaseService;
import dev.kickoff.core.connection.ConnectionService;
import dev.kickoff.core.limit.ExecuteRateLimiter;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.run.RunControls;
import dev.kickoff.core.run.RunService;
import dev.kickoff.core.run.TriggerAdmission;
import dev.kickoff.core.webhook.WebhookService;
import dev.kickoff.core.workflow.WorkflowService;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;


/**
 * Exposes the composition root's services to the controllers. The root itself ({@link CompositionRoot}) is
 * registered by {@link ApiHandler}; nothing here builds it, so several functions' beans can share one classpath
 * (the local stack) without competing definitions.
 */
@Factory
public class ApiBeans {
    /** Registered by name because the API's context does not scan for Jackson modules (see {@link ApiHandler}). */
    @Singleton
    Module jdk8Types() {
        return new Jdk8Module();
    }

    /** {@code java.time} values, for the same reason as {@link #jdk8Types}. */
    @Singleton
    Module javaTimeTypes() {
        return new JavaTimeModule();
    }

    @Singleton
    Settings settings(CompositionRoot runtime) {
        return runtime.settings();
    }

    @Singleton
    TokenService tokens(CompositionRoot runtime) {
        return runtime.tokens();
    }

    @Singleton
    RunService runs(CompositionRoot runtime) {
        return runtime.runs();
    }

    /** Cancel, retry and signal (RunsController, the management API's run controls). */
    @Singleton
    RunControls runControls(CompositionRoot runtime) {
        return runtime.runControls();
    }

    @Singleton
    ExecuteRateLimiter executeLimits(CompositionRoot runtime) {
        return runtime.executeLimits();
    }

    @Singleton
    TriggerAdmission triggerAdmission(CompositionRoot runtime) {
        return runtime.triggerAdmission();
    }

    @Singleton
    WorkflowService workflows(CompositionRoot runtime) {
        return runtime.workflows();
    }

    @Singleton
    CaseService cases(CompositionRoot runtime) {
        return runtime.cases();
    }

    /** The metrics port: the trigger edge counts its 429s and idempotent replays through it. */
    @Singleton
    RunObserver observer(CompositionRoot runtime) {
        return runtime.observer();
    }

    @Singleton
    ConnectionService connections(CompositionRoot runtime) {
        return runtime.connections();
    }

    @Singleton
    WebhookService webhooks(CompositionRoot runtime) {
        return runtime.webhooks();
    }

    @Singleton
    dev.kickoff.core.schedule.ScheduleService schedules(CompositionRoot runtime) {
        return runtime.schedules();
    }

    @Singleton
    dev.kickoff.core.usage.UsageService usage(CompositionRoot runtime) {
        return runtime.usage();
    }
}
