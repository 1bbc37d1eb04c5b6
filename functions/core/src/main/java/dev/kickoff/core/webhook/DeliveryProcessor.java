package dev.kickoff.core.webhook;

import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.DeliveryQueue;
import dev.kickoff.core.port.WebhookSender;
import dev.kickoff.core.port.WebhookStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Makes one attempt of one delivery, as asked by a queue message "attempt n of delivery d", and decides what
 * follows: done, a retry (queued with its delay; waits longer than the queue can hold are re-delayed on
 * arrival, the due time lives on the delivery), or giving up. Retried: no response (timeout, refused,
 * forbidden address), 3xx (redirects are never followed), 4xx and 5xx; except 410 Gone, which disables the
 * subscription at once. An endpoint that has not had a single success for {@code disableAfter} is disabled,
 * with the reason on the subscription.
 *
 * <p>Stale and duplicate messages are harmless: an attempt is taken with a conditional write ("the next
 * attempt, or this one if its taker's lease ran out"), so each attempt is made once, and a crashed attempt is
 * made again when its message comes back.
 */
public final class DeliveryProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryProcessor.class);

    public enum Outcome {
        /** Delete the message: the attempt was made (or is not needed, or a newer message carries on). */
        DONE,
        /** Keep the message: someone else's attempt is under way and may yet fail; look again later. */
        KEEP
    }

    private final WebhookStore store;
    private final DeliveryQueue queue;
    private final WebhookSender sender;
    private final Clock clock;
    private final WebhookSettings settings;

    public DeliveryProcessor(WebhookStore store, DeliveryQueue queue, WebhookSender sender, Clock clock,
                             WebhookSettings settings) {
        this.store = store;
        this.queue = queue;
        this.sender = sender;
        this.clock = clock;
        this.settings = settings;
    }

    public Outcome process(String deliveryId, int attempt) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Optional<Delivery> found = store.findDelivery(deliveryId);
        if (found.isEmpty() || found.get().expired(now)) {
            LOG.info("delivery {} no longer exists; dropping its message", deliveryId);
            return Outcome.DONE;
        }
        Delivery d = found.get();
        if (d.status() != Delivery.Status.PENDING || d.attempts() > attempt || d.attempts() < attempt - 1) {
            return Outcome.DONE;
        }
        if (d.attempts() == attempt) {
            // This attempt was taken: finished (a duplicate message), or under way, or its taker died.
            if (d.leaseUntil() == null) {
                return Outcome.DONE;
            }
            if (d.leaseUntil().isAfter(now)) {
                return Outcome.KEEP;
            }
        } else if (d.nextAttemptAt() != null && d.nextAttemptAt().isAfter(now)) {
            // Early: the wait was longer than the queue can delay a message. Wait again.
            queue.enqueue(deliveryId, attempt, min(Duration.between(now, d.nextAttemptAt()), DeliveryQueue.MAX_DELAY));
            return Outcome.DONE;
        }
        Optional<Subscription> subscription = store.findSubscription(d.orgId(), d.webhookId());
        if (subscription.isEmpty()) {
            store.abandon(deliveryId, "the webhook was deleted", now);
            return Outcome.DONE;
        }
        Subscription s = subscription.get();
        if (s.status() != Subscription.Status.ENABLED) {
            store.abandon(deliveryId, "the webhook is disabled", now);
            return Outcome.DONE;
        }
        Optional<WebhookEvent> event = store.findEvent(d.eventId(), now);
        if (event.isEmpty()) {
            store.abandon(deliveryId, "the event is past its retention", now);
            return Outcome.DONE;
        }
        if (store.claim(deliveryId, attempt, now, now.plus(settings.attemptLease())).isEmpty()) {
            return Outcome.DONE;
        }

        WebhookSender.Response response = sender.send(new WebhookSender.Request(s.url(), deliveryId,
                clock.instant().getEpochSecond(), Json.write(event.get().document()), s.secrets().active(now)));
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Delivery.Attempt result = new Delivery.Attempt(response.statusCode(), response.error(),
                response.latencyMillis(), at, response.excerpt());
        LOG.info("delivery {} attempt {} to webhook {}: {} in {} ms", deliveryId, attempt, s.id(),
                response.statusCode() != null ? response.statusCode() : response.error(), response.latencyMillis());

        if (response.succeeded()) {
            store.recordAttempt(deliveryId, attempt, result, Delivery.Status.SUCCEEDED, null);
            if (s.failingSince() != null) {
                store.clearFailing(s.orgId(), s.id());
            }
            return Outcome.DONE;
        }
        if (response.gone()) {
            store.recordAttempt(deliveryId, attempt, result, Delivery.Status.FAILED, null);
            store.disable(s.orgId(), s.id(), "the endpoint answered 410 Gone at " + at
                    + "; webhooks are not sent to it until it is enabled again", at);
            return Outcome.DONE;
        }
        Instant since = s.failingSince() != null ? s.failingSince() : store.markFailing(s.orgId(), s.id(), at);
        if (!at.isBefore(since.plus(settings.disableAfter()))) {
            store.recordAttempt(deliveryId, attempt, result, Delivery.Status.FAILED, null);
            store.disable(s.orgId(), s.id(), "every attempt since " + since + " failed (the last: "
                    + describe(response) + "); disabled after " + human(settings.disableAfter()) + " of failures", at);
            return Outcome.DONE;
        }
        if (attempt >= settings.maxAttempts()) {
            store.recordAttempt(deliveryId, attempt, result, Delivery.Status.FAILED, null);
            return Outcome.DONE;
        }
        Duration wait = settings.delayBefore(attempt + 1);
        // Queue first, then record: if recording fails the message returns and the attempt is made again;
        // the other order could lose the retry.
        queue.enqueue(deliveryId, attempt + 1, min(wait, DeliveryQueue.MAX_DELAY));
        store.recordAttempt(deliveryId, attempt, result, Delivery.Status.PENDING, at.plus(wait));
        return Outcome.DONE;
    }

    private static String describe(WebhookSender.Response r) {
        return r.statusCode() != null ? "HTTP " + r.statusCode() : r.error();
    }

    private static Duration min(Duration a, Duration b) {
        Duration d = a.compareTo(b) < 0 ? a : b;
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static String human(Duration d) {
        if (d.toDays() > 0 && d.toHours() % 24 == 0) {
            return d.toDays() + " day(s)";
        }
        if (d.toMinutes() > 0 && d.toSeconds() % 60 == 0) {
            return d.toMinutes() + " minute(s)";
        }
        return d.toMillis() + " ms";
    }
}
