package dev.kickoff.delivery;

import dev.kickoff.adapters.outbound.SafeHttpSender;
import dev.kickoff.bootstrap.CompositionRoot;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** The delivery function's bean; its composition root is registered by {@link DeliveryHandler}. */
@Factory
public class DeliveryBeans {
    @Singleton
    DeliveryWorker deliveryWorker(CompositionRoot runtime) {
        // Loopback endpoints are allowed in local mode only (KICKOFF_LOCAL=true).
        return new DeliveryWorker(runtime.deliveries(new SafeHttpSender(runtime.settings().local())));
    }
}
