package dev.kickoff.core.auth;

import java.util.Locale;
import java.util.Optional;

/** What a token may do: {@code api} tokens start runs and create cases; {@code manage} tokens administer an org. */
public enum Scope {
    API("api_"),
    MANAGE("mgt_");

    private final String secretPrefix;

    Scope(String secretPrefix) {
        this.secretPrefix = secretPrefix;
    }

    public String secretPrefix() {
        return secretPrefix;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Scope> fromWire(String text) {
        for (Scope s : values()) {
            if (s.wireName().equals(text)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
