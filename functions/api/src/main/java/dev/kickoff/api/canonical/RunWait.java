package dev.kickoff.api.canonical;

import dev.kickoff.core.run.RunService;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;

import java.time.Duration;
import java.util.List;

/**
 * Run-and-wait: {@code Prefer: wait=N} (RFC 7240) on the runs POST and GET asks the API to answer once the run is
 * terminal or {@code suspended}, or after N seconds with its state then. N is 1 to 25 (API Gateway ends a request at
 * 30 s; the API function's timeout is 29 s): a larger N is taken as 25, and a preference that is not a positive whole
 * number of seconds is ignored, as RFC 7240 asks of preferences a server does not understand. An answer that waited
 * says so with {@code Preference-Applied: wait=N}. The wait is Lambda time: its cost is in docs/benchmarks-method.md.
 */
final class RunWait {
    static final String PREFER = "Prefer";
    static final String APPLIED = "Preference-Applied";

    private RunWait() {
    }

    /** The wait the request prefers, capped at {@link RunService#MAX_AWAIT}; null when it asks for none. */
    static Duration preferred(HttpRequest<?> request) {
        List<String> values = request.getHeaders().getAll(PREFER);
        for (String value : values) {
            for (String preference : value.split(",")) {
                String token = preference.split(";", 2)[0].strip();
                int eq = token.indexOf('=');
                if (eq < 0 || !token.substring(0, eq).strip().equalsIgnoreCase("wait")) {
                    continue;
                }
                String seconds = token.substring(eq + 1).strip();
                if (seconds.startsWith("\"") && seconds.endsWith("\"") && seconds.length() >= 2) {
                    seconds = seconds.substring(1, seconds.length() - 1);
                }
                if (!seconds.matches("\\d{1,9}")) {
                    return null;
                }
                long n = Long.parseLong(seconds);
                if (n < 1) {
                    return null;
                }
                return Duration.ofSeconds(Math.min(n, RunService.MAX_AWAIT.toSeconds()));
            }
        }
        return null;
    }

    static <T> MutableHttpResponse<T> applied(MutableHttpResponse<T> response, Duration wait) {
        return wait == null ? response : response.header(APPLIED, "wait=" + wait.toSeconds());
    }
}
