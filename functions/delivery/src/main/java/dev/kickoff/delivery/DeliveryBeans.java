package dev.kickoff.delivery;

import dev.kickoff.adapters.outbound.SafeHttpSender;
import dev.kickoff.bootstrap.CompositionRoot;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

import java.time.Clock;

/** The delivery function's beans, built from the composition root that {@link DeliveryHandler} registers. */
@Factory
public class DeliveryBeans {
    @Singleton
    DeliveryMessageProcessor processor(CompositionRoot root) {
        // Loopback endpoints are allowed in local mode only (KICKOFF_LOCAL=true).
        return new DeliveryMessageProcessor(root.deliveries(new SafeHttpSender(root.settings().local())));
    }

    @Singleton
    Clock clock(CompositionRoot root) {
        return root.clock();
    }
}
