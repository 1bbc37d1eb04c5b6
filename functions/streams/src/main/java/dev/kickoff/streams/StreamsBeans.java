package dev.kickoff.streams;

import dev.kickoff.bootstrap.CompositionRoot;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** The streams function's one bean; its composition root is registered by {@link StreamsHandler}. */
@Factory
public class StreamsBeans {
    @Singleton
    StreamProcessor processor(CompositionRoot runtime) {
        return new StreamProcessor(runtime);
    }
}
