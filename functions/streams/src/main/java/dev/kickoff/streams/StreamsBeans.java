package dev.kickoff.streams;

import dev.kickoff.bootstrap.CompositionRoot;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** The streams function's bean, built from the composition root that {@link StreamsHandler} registers. */
@Factory
class StreamsBeans {
    @Singleton
    StreamRecordProcessor processor(CompositionRoot root) {
        return new StreamRecordProcessor(root.fanout(), root.settings().publicUrl(), root.metering());
    }
}
