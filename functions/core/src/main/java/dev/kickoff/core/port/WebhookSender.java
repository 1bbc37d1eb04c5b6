package dev.kickoff.core.port;

import java.util.List;

/** POSTs one signed message to a subscriber's endpoint (the SSRF-safe HTTP adapter in production). */
public interface WebhookSender {
    Response send(Request request);

    /**
     * @param messageId        the {@code webhook-id}
     * @param timestampSeconds the {@code webhook-timestamp}
     * @param secrets          every secret the message is signed with ({@code whsec_…}), one signature each
     */
    record Request(String url, String messageId, long timestampSeconds, String body, List<String> secrets) {
        @Override
        public String toString() {
            return "Request[" + messageId + "]";
        }
    }

    /**
     * @param statusCode the endpoint's status code, or null when there was no response (timeout, refused,
     *                   a forbidden address)
     * @param error      what went wrong, for the delivery log; null on a 2xx
     * @param excerpt    the start of the response body (small; never the request)
     */
    record Response(Integer statusCode, String error, long latencyMillis, String excerpt) {
        public boolean succeeded() {
            return statusCode != null && statusCode >= 200 && statusCode < 300;
        }

        public boolean gone() {
            return statusCode != null && statusCode == 410;
        }
    }
}
