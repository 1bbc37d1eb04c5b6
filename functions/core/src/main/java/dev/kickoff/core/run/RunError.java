package dev.kickoff.core.run;

/**
 * Why a run failed, as a machine-readable {@code code} and a human {@code message}, so that each API shape can render
 * what it shows (seed 003's {@code error.message}, seed 002's {@code error_message}, a webhook's {@code error.code}).
 *
 * @param code {@code step_failed}, {@code output_failed}, {@code state_too_large}, {@code workflow_version_missing},
 *             {@code case_unreadable}, {@code given_up}, {@code cancelled}, or {@code failed} for runs stored before
 *             codes existed
 */
public record RunError(String code, String message) {
    public static final String STEP_FAILED = "step_failed";
    public static final String OUTPUT_FAILED = "output_failed";
    public static final String STATE_TOO_LARGE = "state_too_large";
    public static final String WORKFLOW_VERSION_MISSING = "workflow_version_missing";
    public static final String CASE_UNREADABLE = "case_unreadable";
    public static final String GIVEN_UP = "given_up";
    public static final String CANCELLED = "cancelled";
    public static final String TIMED_OUT = "timed_out";
    /** What a run failed before codes were stored shows. */
    public static final String FAILED = "failed";

    public RunError {
        if (code == null || code.isBlank() || message == null) {
            throw new IllegalArgumentException("a run error has a code and a message");
        }
    }
}
