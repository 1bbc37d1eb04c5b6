package dev.kickoff.adapters.outbound;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.EmptyWebhookSecretException;
import com.standardwebhooks.exceptions.WebhookSigningException;

import java.util.List;

/**
 * The {@code webhook-signature} header per Standard Webhooks: {@code v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">}, one per active secret, separated by spaces (during a rotation both the new and the old
 * secret sign, so receivers holding either verify).
 */
final class Signatures {
    private Signatures() {
    }

    static String header(String messageId, long timestampSeconds, String body, List<String> secrets) {
        StringBuilder sb = new StringBuilder();
        for (String secret : secrets) {
            try {
                String signature = new Webhook(secret).sign(messageId, timestampSeconds, body);
                sb.append(sb.isEmpty() ? "" : " ").append(signature);
            } catch (WebhookSigningException | EmptyWebhookSecretException | RuntimeException e) {
                // Never the secret itself in the message.
                throw new IllegalStateException("cannot sign message " + messageId + ": " + e.getClass().getSimpleName());
            }
        }
        return sb.toString();
    }
}
