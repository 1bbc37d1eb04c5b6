package dev.kickoff.delivery;

import dev.kickoff.core.webhook.AddressPolicy;
import dev.kickoff.core.webhook.WebhookSender;
import dev.kickoff.core.webhook.WebhookUrls;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * POSTs webhooks without letting a subscriber's URL reach inside the network (SSRF):
 * <ol>
 *   <li>the URL is checked again (https, no user info; literal IPs public);</li>
 *   <li>the host name is resolved once, and every address it resolves to must be public
 *       ({@link AddressPolicy}): a name with one private address among public ones is refused;</li>
 *   <li>the connection goes to the address that was checked, never to a second resolution (DNS rebinding
 *       cannot swap it), while the request carries the original {@code Host} header and, over TLS, the
 *       original name as SNI and for certificate verification ({@code HTTPS} endpoint identification);</li>
 *   <li>the whole exchange, connect to last byte, has one deadline (10 s); redirects are not followed
 *       (recorded as failures); at most {@code maxResponseBytes} of the response are read.</li>
 * </ol>
 * Plain HTTP/1.1 on a socket of its own, because the JDK's HttpClient resolves names itself and cannot be
 * pointed at a checked address while keeping the name for TLS.
 */
public final class SafeHttpSender implements WebhookSender {
    /** Resolves a host name; tests substitute one that maps names to chosen addresses. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    public static final int MAX_RESPONSE_BYTES = 64 * 1024;
    /** What the delivery log keeps of a response body. */
    public static final int EXCERPT_CHARS = 256;
    private static final int MAX_HEADER_BYTES = 16 * 1024;

    private final boolean allowLoopback;
    private final Resolver resolver;
    private final SSLSocketFactory tls;
    private final Duration timeout;

    public SafeHttpSender(boolean allowLoopback) {
        this(allowLoopback, InetAddress::getAllByName, (SSLSocketFactory) SSLSocketFactory.getDefault(), TIMEOUT);
    }

    public SafeHttpSender(boolean allowLoopback, Resolver resolver, SSLSocketFactory tls, Duration timeout) {
        this.allowLoopback = allowLoopback;
        this.resolver = resolver;
        this.tls = tls;
        this.timeout = timeout;
    }

    @Override
    public Response send(Request request) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String problem = WebhookUrls.problem(request.url(), allowLoopback);
        if (problem != null) {
            return failure("refused: " + problem, start);
        }
        URI uri = URI.create(request.url());
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        String host = uri.getHost();
        String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        int port = uri.getPort() == -1 ? (https ? 443 : 80) : uri.getPort();

        InetAddress target;
        try {
            InetAddress[] addresses = resolver.resolve(bareHost);
            if (addresses == null || addresses.length == 0) {
                return failure("DNS: " + bareHost + " has no address", start);
            }
            for (InetAddress a : addresses) {
                String refusal = AddressPolicy.refusal(a, allowLoopback);
                if (refusal != null) {
                    return failure("refused: " + bareHost + " resolves to a " + refusal + " (" + a.getHostAddress()
                            + "); webhooks go to public addresses only", start);
                }
            }
            target = addresses[0];
        } catch (UnknownHostException e) {
            return failure("DNS: cannot resolve " + bareHost, start);
        }

        byte[] body = request.body().getBytes(StandardCharsets.UTF_8);
        String signature = Signatures.header(request.messageId(), request.timestampSeconds(), request.body(),
                request.secrets());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target, port), remainingMillis(deadline));
            Socket channel = socket;
            if (https) {
                SSLSocket ssl = (SSLSocket) tls.createSocket(socket, bareHost, port, true);
                SSLParameters parameters = ssl.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                if (!WebhookUrls.isIpLiteral(bareHost)) {
                    parameters.setServerNames(List.of(new SNIHostName(bareHost)));
                }
                ssl.setSSLParameters(parameters);
                ssl.setSoTimeout(remainingMillis(deadline));
                ssl.startHandshake();
                channel = ssl;
            }
            OutputStream out = channel.getOutputStream();
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            if (uri.getRawQuery() != null) {
                path += "?" + uri.getRawQuery();
            }
            boolean defaultPort = uri.getPort() == -1 || (https && port == 443) || (!https && port == 80);
            String head = "POST " + path + " HTTP/1.1\r\n"
                    + "Host: " + host + (defaultPort ? "" : ":" + port) + "\r\n"
                    + "User-Agent: Kickoff-Webhooks/1.0\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n"
                    + "webhook-id: " + request.messageId() + "\r\n"
                    + "webhook-timestamp: " + request.timestampSeconds() + "\r\n"
                    + "webhook-signature: " + signature + "\r\n"
                    + "Connection: close\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return read(channel, deadline, start);
        } catch (SocketTimeoutException e) {
            return failure("timeout: no complete response within " + timeout.toSeconds() + " s", start);
        } catch (IOException e) {
            return failure("connection failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + truncate(e.getMessage(), 200)), start);
        }
    }

    private Response read(Socket channel, long deadline, long start) throws IOException {
        InputStream in = channel.getInputStream();
        ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0d0a0d0a) {
            channel.setSoTimeout(remainingMillis(deadline));
            int b = in.read();
            if (b < 0) {
                return failure("the endpoint closed the connection without a complete response", start);
            }
            headBytes.write(b);
            if (headBytes.size() > MAX_HEADER_BYTES) {
                return failure("the response headers are larger than " + MAX_HEADER_BYTES + " bytes", start);
            }
            last4 = (last4 << 8) | b;
        }
        String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        int status;
        try {
            status = Integer.parseInt(statusLine[1]);
        } catch (RuntimeException e) {
            return failure("not an HTTP response", start);
        }
        long contentLength = -1;
        boolean chunked = false;
        String location = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).strip();
            switch (name) {
                case "content-length" -> {
                    try {
                        contentLength = Long.parseLong(value);
                    } catch (NumberFormatException ignored) {
                        contentLength = -1;
                    }
                }
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "location" -> location = value;
                default -> {
                }
            }
        }
        byte[] bodyBytes = chunked ? readChunked(channel, in, deadline) : readBody(channel, in, deadline, contentLength);
        String excerpt = truncate(new String(bodyBytes, StandardCharsets.UTF_8), EXCERPT_CHARS);
        long latency = (System.nanoTime() - start) / 1_000_000;
        if (status >= 200 && status < 300) {
            return new Response(status, null, latency, excerpt);
        }
        String error = status >= 300 && status < 400
                ? "HTTP " + status + ": redirects are not followed" + (location == null ? "" : " (to "
                + truncate(location, 200) + ")")
                : "HTTP " + status;
        return new Response(status, error, latency, excerpt);
    }

    private static byte[] readBody(Socket channel, InputStream in, long deadline, long contentLength) throws IOException {
        long limit = contentLength < 0 ? MAX_RESPONSE_BYTES : Math.min(contentLength, MAX_RESPONSE_BYTES);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (body.size() < limit) {
            channel.setSoTimeout(remainingMillis(deadline));
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - body.size()));
            if (n < 0) {
                break;
            }
            body.write(buffer, 0, n);
        }
        return body.toByteArray();
    }

    private static byte[] readChunked(Socket channel, InputStream in, long deadline) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (body.size() < MAX_RESPONSE_BYTES) {
            String sizeLine = readLine(channel, in, deadline);
            if (sizeLine == null) {
                break;
            }
            int semicolon = sizeLine.indexOf(';');
            int size;
            try {
                size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
            } catch (NumberFormatException e) {
                break;
            }
            if (size == 0) {
                break;
            }
            byte[] chunk = readBody(channel, in, deadline, Math.min(size, MAX_RESPONSE_BYTES - body.size()));
            body.write(chunk);
            if (chunk.length < size) {
                break;
            }
            readLine(channel, in, deadline);
        }
        return body.toByteArray();
    }

    private static String readLine(Socket channel, InputStream in, long deadline) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 1024) {
            channel.setSoTimeout(remainingMillis(deadline));
            int b = in.read();
            if (b < 0) {
                return sb.isEmpty() ? null : sb.toString();
            }
            if (b == '\n') {
                return sb.toString().strip();
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    /** At least 1 ms (0 would mean "forever" to a socket); past the deadline, a timeout. */
    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long remaining = (deadline - System.nanoTime()) / 1_000_000;
        if (remaining <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, remaining);
    }

    private static Response failure(String error, long start) {
        return new Response(null, error, (System.nanoTime() - start) / 1_000_000, null);
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
