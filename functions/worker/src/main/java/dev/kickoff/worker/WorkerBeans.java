package dev.kickoff.worker;

import dev.kickoff.bootstrap.CompositionRoot;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** The worker's one bean; the composition root it uses is registered by {@link RunWorkerHandler}. */
@Factory
public class WorkerBeans {
    @Singleton
    RunWorker worker(CompositionRoot runtime) {
        return new RunWorker(runtime);
    }
}
