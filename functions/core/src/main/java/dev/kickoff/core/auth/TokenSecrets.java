package dev.kickoff.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Generates token secrets and the hashes they are stored and looked up by. */
public final class TokenSecrets {
    private static final char[] ALPHABET =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    /** 32 base62 characters carry 190 bits of entropy, well above the 128 the design asks for. */
    static final int RANDOM_CHARS = 32;
    /** Characters of the secret kept in clear as its display prefix, e.g. {@code api_3fK9}. */
    static final int DISPLAY_CHARS = 4;
    /** No secret of ours is longer; anything longer is rejected before hashing. */
    public static final int MAX_SECRET_LENGTH = 64;

    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenSecrets() {
    }

    public static String newSecret(Scope scope) {
        StringBuilder sb = new StringBuilder(scope.secretPrefix());
        for (int i = 0; i < RANDOM_CHARS; i++) {
            sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    public static String displayPrefix(String secret) {
        return secret.substring(0, Math.min(secret.length(), 4 + DISPLAY_CHARS));
    }

    /** Hex SHA-256 of the secret. Secrets are random, so an unsalted fast hash is the right tool (no dictionary). */
    public static String hash(String secret) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The scope a secret claims by its prefix, or null when it has neither known prefix. */
    public static Scope claimedScope(String secret) {
        for (Scope scope : Scope.values()) {
            if (secret.startsWith(scope.secretPrefix())) {
                return scope;
            }
        }
        return null;
    }
}
