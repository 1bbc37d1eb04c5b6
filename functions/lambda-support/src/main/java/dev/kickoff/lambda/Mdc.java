package dev.kickoff.lambda;

import org.slf4j.MDC;

import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Carries the logging context (SLF4J's MDC) into work that runs on another thread. The MDC is per thread, so a batch's
 * records processed on virtual threads would otherwise log without what Powertools put in it for the invocation
 * (request ID, cold start, trace ID, function version). What a task adds to its own MDC stays with that task.
 */
public final class Mdc {
    private Mdc() {
    }

    /** {@code task}, run with the MDC the calling thread has now (and an empty one after). */
    public static <T> Callable<T> carried(Callable<T> task) {
        Map<String, String> context = MDC.getCopyOfContextMap();
        return () -> {
            Map<String, String> before = MDC.getCopyOfContextMap();
            if (context == null) {
                MDC.clear();
            } else {
                MDC.setContextMap(context);
            }
            try {
                return task.call();
            } finally {
                if (before == null) {
                    MDC.clear();
                } else {
                    MDC.setContextMap(before);
                }
            }
        };
    }
}
