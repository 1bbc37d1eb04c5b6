package dev.kickoff.core.webhook;

import dev.kickoff.core.port.DeliveryQueue;
import dev.kickoff.core.port.WebhookStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * Turns one event into one delivery per matching subscription of its organization, and queues each (the event is
 * stored only when at least one subscription wants it). Only
 * writes and enqueues, never calls an endpoint, so a slow subscriber cannot hold up the stream. Repeating a
 * fan-out (a retried stream batch) creates nothing twice: event and delivery IDs are derived, writes are
 * conditional, and a delivery that exists but never had an attempt is queued again (its first queueing may
 * be what failed).
 */
public final class EventFanout {
    private static final Logger LOG = LoggerFactory.getLogger(EventFanout.class);

    private final WebhookStore store;
    private final DeliveryQueue queue;
    private final Clock clock;
    private final WebhookSettings settings;

    public EventFanout(WebhookStore store, DeliveryQueue queue, Clock clock, WebhookSettings settings) {
        this.store = store;
        this.queue = queue;
        this.clock = clock;
        this.settings = settings;
    }

    /** @return how many deliveries were queued */
    public int publish(WebhookEvent event) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant expires = now.plus(settings.retention());
        // A subscription made after the event happened does not get it (matters when a stream is re-read).
        List<Subscription> wanting = store.listSubscriptions(event.orgId()).stream()
                .filter(s -> s.wants(event.type(), event.workflowId()) && !s.createdAt().isAfter(event.occurredAt()))
                .toList();
        if (wanting.isEmpty()) {
            // Only a delivery ever reads the event back: with none, storing it would be a write per run for nothing.
            LOG.debug("event {} ({}) has no subscriber", event.id(), event.type().wireName());
            return 0;
        }
        store.putEvent(event, expires);
        int queued = 0;
        for (Subscription s : wanting) {
            String id = WebhookIds.delivery(event.id(), s.id());
            Delivery delivery = new Delivery(id, event.orgId(), s.id(), event.id(), event.type(),
                    Delivery.Status.PENDING, 0, null, null, null, null, now, null, now, expires, null, null);
            boolean enqueue = store.createDelivery(delivery);
            if (!enqueue) {
                Optional<Delivery> existing = store.findDelivery(id);
                enqueue = existing.isPresent() && existing.get().status() == Delivery.Status.PENDING
                        && existing.get().attempts() == 0;
            }
            if (enqueue) {
                queue.enqueue(id, 1, min(settings.delayBefore(1), DeliveryQueue.MAX_DELAY));
                queued++;
            }
        }
        if (queued > 0) {
            LOG.info("event {} ({}) queued {} delivery(ies)", event.id(), event.type().wireName(), queued);
        }
        return queued;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }
}
