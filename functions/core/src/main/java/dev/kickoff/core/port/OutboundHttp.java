package dev.kickoff.core.port;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP request to a customer-chosen URL, through the SSRF rules of the webhook sender (public addresses only,
 * checked after DNS resolution, no redirects followed, bounded in size and time). Never throws for anything the
 * remote end or the network does: every outcome is a {@link Response} or a classified {@link Failure}.
 */
public interface OutboundHttp {
    Result send(Request request);

    /**
     * @param headers          request headers (the client adds {@code Host}, {@code Content-Length},
     *                         {@code Connection}); names are sent as given
     * @param body             the request body, or null for none
     * @param timeout          the whole exchange, connect to last byte
     * @param maxResponseBytes how much of the body is read at most
     * @param truncate         true: a larger body is cut at {@code maxResponseBytes} (webhooks keep an excerpt);
     *                         false: a larger body is a {@link Failure.Kind#TOO_LARGE} failure
     */
    record Request(String method, String url, Map<String, String> headers, byte[] body, Duration timeout,
                   int maxResponseBytes, boolean truncate) {
        public Request {
            headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }

        @Override
        public String toString() {
            return "Request[" + method + " " + url + "]";  // never headers or body: they may carry credentials
        }
    }

    sealed interface Result permits Response, Failure {
        long latencyMillis();
    }

    /**
     * Whatever status the endpoint answered (2xx, 3xx, 4xx, 5xx alike: the caller classifies).
     *
     * @param headers response headers by lower-case name, in the order received
     */
    record Response(int status, Map<String, List<String>> headers, byte[] body, long latencyMillis) implements Result {
        /** The first value of a header, or null. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.getFirst();
        }
    }

    /** No usable response. {@code message} is safe to show to the customer and to log (no secrets, no body). */
    record Failure(Kind kind, String message, long latencyMillis) implements Result {
        public enum Kind {
            /** The URL or an address it resolves to is not allowed (SSRF rules): never worth a retry. */
            REFUSED,
            /** DNS failed, the connection was refused or reset, TLS failed: maybe transient. */
            CONNECT,
            /** No complete response within the timeout. */
            TIMEOUT,
            /** The response body is larger than the request allowed. */
            TOO_LARGE,
            /** Something answered, but not HTTP/1.1 as we know it. */
            PROTOCOL
        }

        public boolean retryable() {
            return kind == Kind.CONNECT || kind == Kind.TIMEOUT;
        }
    }
}
