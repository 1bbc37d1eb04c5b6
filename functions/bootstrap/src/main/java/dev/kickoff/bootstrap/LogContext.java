package dev.kickoff.bootstrap;

import org.slf4j.MDC;

/**
 * Keys every log line about a run carries, as top-level fields of the JSON log (Powertools' layout emits the
 * MDC). Only identifiers: never tokens, secrets, or customer payloads.
 */
public final class LogContext {
    public static final String ORG_ID = "org_id";
    public static final String WORKFLOW_ID = "workflow_id";
    public static final String RUN_ID = "run_id";
    public static final String CASE_ID = "case_id";

    private LogContext() {
    }

    public static void put(String key, long value) {
        MDC.put(key, Long.toString(value));
    }

    public static void clear() {
        MDC.remove(ORG_ID);
        MDC.remove(WORKFLOW_ID);
        MDC.remove(RUN_ID);
        MDC.remove(CASE_ID);
    }
}
