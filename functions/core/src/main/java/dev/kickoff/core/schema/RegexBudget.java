package dev.kickoff.core.schema;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * A deadline for the regular expressions of one schema operation (a validation, or shaping and validating an
 * input), so that no pattern keeps a core busy after the client gave up. Matching reads its input through
 * {@link #watch}, which checks the clock every few characters read: RE2/J reads each character once per
 * position, Java's engine (kept for patterns saved before patterns ran on RE2/J) once per backtrack.
 */
final class RegexBudget {
    /**
     * Sane patterns take microseconds; this stops the rest (a 10,000-instruction pattern over a 256 KiB string on
     * RE2/J, or a backtracking one on Java's engine) while the API can still answer.
     */
    static final Duration PER_OPERATION = Duration.ofSeconds(2);

    private static final ThreadLocal<long[]> DEADLINE = new ThreadLocal<>();

    private RegexBudget() {
    }

    /** Runs {@code work} with a fresh budget, unless one is already running on this thread (it is shared then). */
    static <T> T run(Supplier<T> work) {
        if (DEADLINE.get() != null) {
            return work.get();
        }
        DEADLINE.set(new long[]{System.nanoTime() + PER_OPERATION.toNanos()});
        try {
            return work.get();
        } finally {
            DEADLINE.remove();
        }
    }

    /** The input as the engine should read it: past the deadline, a read throws {@link Exceeded}. */
    static CharSequence watch(String input) {
        long[] deadline = DEADLINE.get();
        return new Watched(input, deadline != null ? deadline[0] : System.nanoTime() + PER_OPERATION.toNanos());
    }

    /** The budget ran out; the input could not be checked. */
    static final class Exceeded extends RuntimeException {
        Exceeded() {
            super("regular expressions ran out of time", null, false, false);
        }
    }

    private static final class Watched implements CharSequence {
        private final String text;
        private final long deadline;
        private int reads;

        Watched(String text, long deadline) {
            this.text = text;
            this.deadline = deadline;
        }

        @Override
        public char charAt(int index) {
            if ((++reads & 63) == 0 && System.nanoTime() - deadline > 0) {
                throw new Exceeded();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
