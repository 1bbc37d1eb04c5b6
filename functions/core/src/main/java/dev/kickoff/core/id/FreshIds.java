package dev.kickoff.core.id;

import dev.kickoff.core.port.DuplicateIdException;

import java.util.function.Supplier;

/**
 * Stores something under freshly drawn IDs, drawing again when the store reports a collision (two IDs in one
 * millisecond with the same random bits). A collision is rare; five in a row means something else is wrong.
 */
public final class FreshIds {
    static final int MAX_ATTEMPTS = 5;

    private FreshIds() {
    }

    /** Runs {@code attempt}, which draws its IDs and stores them, until the store accepts them. */
    public static <T> T store(Supplier<T> attempt) {
        for (int i = 1; ; i++) {
            try {
                return attempt.get();
            } catch (DuplicateIdException e) {
                if (i >= MAX_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
