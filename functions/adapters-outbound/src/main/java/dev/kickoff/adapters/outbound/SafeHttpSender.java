package dev.kickoff.adapters.outbound;

import dev.kickoff.core.port.OutboundHttp;
import dev.kickoff.core.port.WebhookSender;

import javax.net.ssl.SSLSocketFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * POSTs webhooks through the {@link SafeHttpClient} (its SSRF rules, one deadline, no redirects), signed per
 * Standard Webhooks. A response is read up to 64 KiB and its start kept as the delivery log's excerpt; a 3xx is a
 * failed attempt ("redirects are not followed").
 */
public final class SafeHttpSender implements WebhookSender {
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    public static final int MAX_RESPONSE_BYTES = 64 * 1024;
    /** What the delivery log keeps of a response body. */
    public static final int EXCERPT_CHARS = 256;

    private final OutboundHttp client;
    private final Duration timeout;

    public SafeHttpSender(boolean allowLoopback) {
        this(new SafeHttpClient(allowLoopback), TIMEOUT);
    }

    public SafeHttpSender(boolean allowLoopback, SafeHttpClient.Resolver resolver, SSLSocketFactory tls, Duration timeout) {
        this(new SafeHttpClient(allowLoopback, resolver, tls), timeout);
    }

    public SafeHttpSender(OutboundHttp client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    @Override
    public Response send(Request request) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("User-Agent", "Kickoff-Webhooks/1.0");
        headers.put("Content-Type", "application/json");
        headers.put("webhook-id", request.messageId());
        headers.put("webhook-timestamp", Long.toString(request.timestampSeconds()));
        headers.put("webhook-signature", Signatures.header(request.messageId(), request.timestampSeconds(),
                request.body(), request.secrets()));
        OutboundHttp.Result result = client.send(new OutboundHttp.Request("POST", request.url(), headers,
                request.body().getBytes(StandardCharsets.UTF_8), timeout, MAX_RESPONSE_BYTES, true));
        return switch (result) {
            case OutboundHttp.Failure f -> new Response(null, f.message(), f.latencyMillis(), null);
            case OutboundHttp.Response r -> {
                String excerpt = SafeHttpClient.truncate(new String(r.body(), StandardCharsets.UTF_8), EXCERPT_CHARS);
                int status = r.status();
                if (status >= 200 && status < 300) {
                    yield new Response(status, null, r.latencyMillis(), excerpt);
                }
                String location = r.header("location");
                String error = status >= 300 && status < 400
                        ? "HTTP " + status + ": redirects are not followed" + (location == null ? ""
                        : " (to " + SafeHttpClient.truncate(location, 200) + ")")
                        : "HTTP " + status;
                yield new Response(status, error, r.latencyMillis(), excerpt);
            }
        };
    }
}
