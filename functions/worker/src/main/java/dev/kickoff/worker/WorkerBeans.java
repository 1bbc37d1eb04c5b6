package dev.kickoff.worker;

import dev.kickoff.bootstrap.CompositionRoot;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;

/**
 * The worker's beans, built from the composition root that {@link RunWorkerHandler} registers: the handler gets what
 * it uses (the message processor and its invocation frame), never the root itself.
 */
@Factory
class WorkerBeans {
    /** What the handler's skeleton needs: the clock its deadline is read on, and the margin it keeps back. */
    public record Frame(Clock clock, Duration deadlineMargin) {
    }

    @Singleton
    RunMessageProcessor processor(CompositionRoot root) {
        return new RunMessageProcessor(root.executor(), root.runQueue(), root.runRedelivery(), root.clock(),
                root.settings().timings(), root.instanceId());
    }

    @Singleton
    Frame frame(CompositionRoot root) {
        return new Frame(root.clock(), root.settings().timings().workerDeadlineMargin());
    }
}
