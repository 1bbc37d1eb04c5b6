package dev.kickoff.adapters.outbound;

import dev.kickoff.core.port.OutboundHttp;
import dev.kickoff.core.webhook.AddressPolicy;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every request Kickoff sends to a customer-chosen URL (webhooks, {@code http} steps, Stripe), without letting
 * that URL reach inside the network (SSRF):
 * <ol>
 *   <li>the URL is checked again (https, no user info; literal IPs public; http to loopback in local mode only);</li>
 *   <li>the host name is resolved once, and every address it resolves to must be public
 *       ({@link AddressPolicy}): a name with one private address among public ones is refused;</li>
 *   <li>the connection goes to the address that was checked, never to a second resolution (DNS rebinding
 *       cannot swap it), while the request carries the original {@code Host} header and, over TLS, the
 *       original name as SNI and for certificate verification ({@code HTTPS} endpoint identification);</li>
 *   <li>the whole exchange, connect to last byte, has one deadline; redirects are not followed (a 3xx is
 *       answered as it is); at most {@code maxResponseBytes} of the response are read (more is cut, or a
 *       failure, as the request says).</li>
 * </ol>
 * Plain HTTP/1.1 on a socket of its own, because the JDK's HttpClient resolves names itself and cannot be
 * pointed at a checked address while keeping the name for TLS.
 */
public final class SafeHttpClient implements OutboundHttp {
    /** Resolves a host name; tests substitute one that maps names to chosen addresses. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    static final int MAX_HEADER_BYTES = 16 * 1024;
    static final String USER_AGENT = "Kickoff/1.0";
    /** Framing is ours: a caller's value for these would let it smuggle a second request. */
    static final Set<String> FRAMING_HEADERS = Set.of("host", "content-length", "connection", "transfer-encoding");

    private final boolean allowLoopback;
    private final Resolver resolver;
    private final SSLSocketFactory tls;

    public SafeHttpClient(boolean allowLoopback) {
        this(allowLoopback, InetAddress::getAllByName, (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    /** @param allowLoopback the local stack only: loopback targets (and http to them) are allowed */
    public SafeHttpClient(boolean allowLoopback, Resolver resolver, SSLSocketFactory tls) {
        this.allowLoopback = allowLoopback;
        this.resolver = resolver;
        this.tls = tls;
    }

    @Override
    public Result send(Request request) {
        long start = System.nanoTime();
        long deadline = start + request.timeout().toNanos();
        String problem = WebhookUrls.problem(request.url(), allowLoopback);
        if (problem != null) {
            return failure(Failure.Kind.REFUSED, "refused: " + problem.replace("webhooks go to", "outbound requests go to"), start);
        }
        for (Map.Entry<String, String> h : request.headers().entrySet()) {
            if (!h.getKey().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+") || h.getValue().indexOf('\r') >= 0
                    || h.getValue().indexOf('\n') >= 0) {
                return failure(Failure.Kind.REFUSED, "refused: header " + h.getKey() + " is not a valid header", start);
            }
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
                return failure(Failure.Kind.CONNECT, "DNS: " + bareHost + " has no address", start);
            }
            for (InetAddress a : addresses) {
                String refusal = AddressPolicy.refusal(a, allowLoopback);
                if (refusal != null) {
                    return failure(Failure.Kind.REFUSED, "refused: " + bareHost + " resolves to a " + refusal + " ("
                            + a.getHostAddress() + "); outbound requests go to public addresses only", start);
                }
            }
            target = addresses[0];
        } catch (UnknownHostException e) {
            return failure(Failure.Kind.CONNECT, "DNS: cannot resolve " + bareHost, start);
        }

        String method = request.method().toUpperCase(Locale.ROOT);
        byte[] body = request.body();
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
            StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(host).append(defaultPort ? "" : ":" + port).append("\r\n");
            boolean userAgent = false;
            for (Map.Entry<String, String> h : request.headers().entrySet()) {
                String name = h.getKey().toLowerCase(Locale.ROOT);
                if (FRAMING_HEADERS.contains(name)) {
                    continue;
                }
                userAgent |= name.equals("user-agent");
                head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
            }
            if (!userAgent) {
                head.append("User-Agent: ").append(USER_AGENT).append("\r\n");
            }
            if (body != null || Set.of("POST", "PUT", "PATCH").contains(method)) {
                head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n");
            }
            head.append("Connection: close\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(channel, method, request, deadline, start);
        } catch (SocketTimeoutException e) {
            return failure(Failure.Kind.TIMEOUT, "timeout: no complete response within " + describe(request.timeout()), start);
        } catch (IOException e) {
            return failure(Failure.Kind.CONNECT, "connection failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + truncate(e.getMessage(), 200)), start);
        }
    }

    private Result read(Socket channel, String method, Request request, long deadline, long start) throws IOException {
        InputStream in = channel.getInputStream();
        ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0d0a0d0a) {
            channel.setSoTimeout(remainingMillis(deadline));
            int b = in.read();
            if (b < 0) {
                return failure(Failure.Kind.CONNECT, "the endpoint closed the connection without a complete response", start);
            }
            headBytes.write(b);
            if (headBytes.size() > MAX_HEADER_BYTES) {
                return failure(Failure.Kind.PROTOCOL, "the response headers are larger than " + MAX_HEADER_BYTES + " bytes", start);
            }
            last4 = (last4 << 8) | b;
        }
        String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        int status;
        try {
            if (!statusLine[0].startsWith("HTTP/")) {
                throw new IllegalArgumentException();
            }
            status = Integer.parseInt(statusLine[1]);
        } catch (RuntimeException e) {
            return failure(Failure.Kind.PROTOCOL, "not an HTTP response", start);
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        long contentLength = -1;
        boolean chunked = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).strip();
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            switch (name) {
                case "content-length" -> {
                    try {
                        contentLength = Long.parseLong(value);
                    } catch (NumberFormatException ignored) {
                        contentLength = -1;
                    }
                }
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                default -> {
                }
            }
        }
        int max = request.maxResponseBytes();
        byte[] body;
        if (method.equals("HEAD") || status == 204 || status == 304 || (status >= 100 && status < 200)) {
            body = new byte[0];
        } else if (!request.truncate() && contentLength > max) {
            return failure(Failure.Kind.TOO_LARGE, tooLarge(max), start);
        } else {
            // One byte more than allowed tells "exactly the limit" from "over it".
            int cap = request.truncate() ? max : max + 1;
            body = chunked ? readChunked(channel, in, deadline, cap) : readBody(channel, in, deadline,
                    contentLength < 0 ? cap : Math.min(contentLength, cap));
            if (!request.truncate() && body.length > max) {
                return failure(Failure.Kind.TOO_LARGE, tooLarge(max), start);
            }
        }
        return new Response(status, headers, body, (System.nanoTime() - start) / 1_000_000);
    }

    private static String tooLarge(int max) {
        return "the response is larger than the " + (max % (1024 * 1024) == 0 ? max / (1024 * 1024) + " MB"
                : max % 1024 == 0 ? max / 1024 + " KiB" : max + "-byte") + " limit (" + max + " bytes)";
    }

    private static byte[] readBody(Socket channel, InputStream in, long deadline, long limit) throws IOException {
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

    private static byte[] readChunked(Socket channel, InputStream in, long deadline, int cap) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (body.size() < cap) {
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
            if (size <= 0) {
                break;
            }
            byte[] chunk = readBody(channel, in, deadline, Math.min(size, cap - body.size()));
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

    private static String describe(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }

    private static Failure failure(Failure.Kind kind, String message, long start) {
        return new Failure(kind, message, (System.nanoTime() - start) / 1_000_000);
    }

    static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
