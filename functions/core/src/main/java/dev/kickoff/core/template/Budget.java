package dev.kickoff.core.template;

/**
 * Bounds one evaluation in work, wall time and output size, so a template can never hang a worker or
 * build an unbounded string, whatever the input it meets.
 */
public final class Budget {
    public static final long DEFAULT_OPERATIONS = 2_000_000;
    public static final long DEFAULT_MILLIS = 2_000;
    public static final int DEFAULT_OUTPUT_CHARS = 1_000_000;

    private final long maxOperations;
    private final long deadlineNanos;
    private final int maxOutputChars;
    private long operations;

    public Budget(long maxOperations, long millis, int maxOutputChars) {
        this.maxOperations = maxOperations;
        this.deadlineNanos = System.nanoTime() + millis * 1_000_000;
        this.maxOutputChars = maxOutputChars;
    }

    public static Budget standard() {
        return new Budget(DEFAULT_OPERATIONS, DEFAULT_MILLIS, DEFAULT_OUTPUT_CHARS);
    }

    void spend(long n) {
        operations += n;
        if (operations > maxOperations) {
            throw new TemplateException("template evaluation exceeded " + maxOperations + " operations");
        }
        if ((operations & 0x3ff) == 0 && System.nanoTime() > deadlineNanos) {
            throw new TemplateException("template evaluation took longer than its time budget");
        }
    }

    void checkOutput(int chars) {
        if (chars > maxOutputChars) {
            throw new TemplateException("template output exceeds " + maxOutputChars + " characters");
        }
    }
}
