package dev.kickoff.core.connection;

import java.security.SecureRandom;

/**
 * Connection IDs: {@code conn_} and 24 random base-36 characters (124 bits). Drawn, not counted, and unique by
 * the conditional write that stores them; they say nothing about when or by whom they were made.
 */
public final class ConnectionIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
    static final int LENGTH = 24;

    private ConnectionIds() {
    }

    public static String next() {
        StringBuilder sb = new StringBuilder("conn_");
        for (int i = 0; i < LENGTH; i++) {
            sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    /** True for anything that could be a connection ID; anything else is "not found" without a read. */
    public static boolean looksLikeConnection(String id) {
        return id != null && id.matches("conn_[0-9a-z]{" + LENGTH + "}");
    }
}
