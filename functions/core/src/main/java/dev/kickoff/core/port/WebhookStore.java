package dev.kickoff.core.port;

import dev.kickoff.core.webhook.Delivery;
import dev.kickoff.core.webhook.Subscription;
import dev.kickoff.core.webhook.WebhookEvent;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where subscriptions, events and deliveries live. Subscriptions are read by organization only. */
public interface WebhookStore {
    /** Throws {@link dev.kickoff.core.port.DuplicateIdException} when the ID is taken. */
    void createSubscription(Subscription subscription);

    Optional<Subscription> findSubscription(long orgId, long webhookId);

    /** Every subscription of the organization: one query on its partition (the fan-out's only read). */
    List<Subscription> listSubscriptions(long orgId);

    boolean deleteSubscription(long orgId, long webhookId);

    /** Replaces the signing secrets; empty when the subscription does not exist. */
    Optional<Subscription> replaceSecrets(long orgId, long webhookId, Subscription.SigningSecrets secrets, Instant at);

    /** Disables an enabled subscription, with the reason its owner will see. */
    void disable(long orgId, long webhookId, String reason, Instant at);

    /** Re-enables a subscription and forgets its failures. */
    Optional<Subscription> enable(long orgId, long webhookId, Instant at);

    /** Records the start of a failure streak, unless one is already running; returns the streak's start. */
    Instant markFailing(long orgId, long webhookId, Instant since);

    /** Ends a failure streak (a success); cheap when there is none. */
    void clearFailing(long orgId, long webhookId);

    /** Stores an event once; false when an event with its ID exists (the fan-out is being repeated). */
    boolean putEvent(WebhookEvent event, Instant expiresAt);

    /** The event, unless absent or past its retention. */
    Optional<WebhookEvent> findEvent(String eventId, Instant now);

    /** Stores a delivery once; false when a delivery with its ID exists. */
    boolean createDelivery(Delivery delivery);

    Optional<Delivery> findDelivery(String deliveryId);

    /** A subscription's deliveries, newest first. */
    WorkflowStore.Page<Delivery> listDeliveries(long webhookId, String cursor, int limit);

    /**
     * Takes attempt {@code attempt} of a pending delivery: it must be the next attempt, or the same attempt whose
     * previous taker's lease ran out (it crashed). Empty when another taker has it or it is no longer pending.
     */
    Optional<Delivery> claim(String deliveryId, int attempt, Instant now, Instant leaseUntil);

    /** Writes an attempt's result, if the delivery is still at that attempt. */
    boolean recordAttempt(String deliveryId, int attempt, Delivery.Attempt result, Delivery.Status status,
                          Instant nextAttemptAt);

    /** Ends a pending delivery without an attempt (its subscription is gone or disabled). */
    void abandon(String deliveryId, String reason, Instant at);
}
