package dev.kickoff.core.webhook;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A webhook subscription: where to POST which events of an organization (optionally of one workflow only).
 *
 * @param failingSince  start of the current run of failed attempts (null after any success); an endpoint failing
 *                      for longer than the disable window is disabled
 * @param disabledReason why a disabled subscription was disabled, shown to its owner
 */
public record Subscription(
        long id,
        long orgId,
        String url,
        List<WebhookEventType> events,
        Long workflowId,
        Status status,
        String disabledReason,
        Instant disabledAt,
        Instant failingSince,
        Instant createdAt,
        Instant updatedAt,
        SigningSecrets secrets) {

    public enum Status {
        ENABLED, DISABLED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Subscription {
        events = List.copyOf(events);
    }

    public boolean wants(WebhookEventType type, Long eventWorkflowId) {
        return status == Status.ENABLED && events.contains(type)
                && (workflowId == null || workflowId.equals(eventWorkflowId));
    }

    /**
     * The secrets that sign a message now: the current one, and during a rotation's overlap the previous one.
     *
     * @param current the current secret ({@code whsec_…})
     * @param previous the secret it replaced, or null
     * @param previousExpiresAt until when the previous secret still signs
     */
    public record SigningSecrets(String current, String previous, Instant previousExpiresAt) {
        public List<String> active(Instant now) {
            List<String> out = new ArrayList<>(2);
            out.add(current);
            if (previous != null && previousExpiresAt != null && now.isBefore(previousExpiresAt)) {
                out.add(previous);
            }
            return out;
        }

        @Override
        public String toString() {
            return "SigningSecrets[redacted]";
        }
    }
}
