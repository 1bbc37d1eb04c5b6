package dev.kickoff.core.webhook;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Event and delivery IDs are derived, not drawn: the same stream record always yields the same event ID, and an
 * event and a subscription always yield the same delivery ID, so repeating a fan-out creates nothing twice.
 */
public final class WebhookIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookIds() {
    }

    /** {@code evt_} and 128 bits of the SHA-256 of what identifies the happening. */
    public static String event(String... parts) {
        return "evt_" + digest(String.join("|", parts));
    }

    /** {@code msg_…}: one event to one subscription. */
    public static String delivery(String eventId, long webhookId) {
        return "msg_" + digest(eventId + "|" + webhookId);
    }

    /** A replay is a new message: random, so each replay is delivered (and deduplicated) on its own. */
    public static String replay() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return "msg_" + HexFormat.of().formatHex(b);
    }

    /** A signing secret: {@code whsec_} and 32 random bytes in base64, as Standard Webhooks libraries read it. */
    public static String secret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return "whsec_" + Base64.getEncoder().encodeToString(b);
    }

    public static boolean looksLikeDelivery(String id) {
        return id != null && id.matches("msg_[0-9a-f]{32}");
    }

    private static String digest(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
