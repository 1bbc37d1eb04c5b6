package dev.kickoff.core.port;

import java.util.Map;

/**
 * Envelope encryption of a connection's secrets. {@link #seal} encrypts a small map under a fresh data key, itself
 * encrypted by a master key (KMS, or a key file in the local stack), and binds the result to its
 * {@link Context}: opening it under another organization's or another connection's context fails. The sealed
 * form is what the store keeps; the plaintext never is.
 */
public interface SecretBox {
    byte[] seal(Map<String, String> secrets, Context context);

    /** Throws {@link SecretsUnavailableException} when the blob cannot be opened (fails closed, never partially). */
    Map<String, String> open(byte[] sealed, Context context);

    /** What a sealed blob belongs to; part of the encryption (KMS encryption context, AES-GCM associated data). */
    record Context(long orgId, String connectionId) {
        public Map<String, String> asMap() {
            return Map.of("kickoff:org", Long.toString(orgId), "kickoff:connection", connectionId);
        }
    }

    /** The secrets could not be opened: wrong key, wrong context, damaged blob, or the key service refused. */
    class SecretsUnavailableException extends RuntimeException {
        public SecretsUnavailableException(String message) {
            super(message, null, false, false);
        }
    }
}
