package dev.kickoff.core.run;

import java.util.Locale;
import java.util.Optional;

/** Run statuses, exactly as seed 000 names them. */
public enum RunStatus {
    PENDING,
    IN_PROGRESS,
    COMPLETED,
    FAILED,
    SUSPENDED,
    SKIPPED;

    public boolean terminal() {
        return this == COMPLETED || this == FAILED || this == SKIPPED;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<RunStatus> fromWire(String text) {
        for (RunStatus s : values()) {
            if (s.wireName().equals(text)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
