package dev.kickoff.delivery;

import dev.kickoff.bootstrap.CompositionRoot;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.time.Clock;

/** The delivery function's beans, built from the composition root that {@link DeliveryHandler} registers. */
@Factory
class DeliveryBeans {
    @Singleton
    DeliveryMessageProcessor processor(CompositionRoot root) {
        return new DeliveryMessageProcessor(root.deliveries());
    }

    @Singleton
    Clock clock(CompositionRoot root) {
        return root.clock();
    }
}
