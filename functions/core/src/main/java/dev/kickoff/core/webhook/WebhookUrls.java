package dev.kickoff.core.webhook;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * What a subscription URL may be: absolute https, no user info, no fragment, at most {@link #MAX_LENGTH}
 * characters; an IP literal must be a public address. In local mode http to localhost, 127.0.0.1 or [::1]
 * is allowed too. Host names are checked again on every delivery, after DNS resolution.
 *
 * <p>A host that ends in a number is an IPv4 address to browsers, curl and the C resolver, which read
 * {@code 2130706433}, {@code 0x7f.1} and {@code 0177.0.0.1} as 127.0.0.1 (Java reads the last as 177.0.0.1):
 * only the plain dotted quad is accepted, so the address checked is the address every client would use.
 */
public final class WebhookUrls {
    public static final int MAX_LENGTH = 2048;

    private WebhookUrls() {
    }

    /** Null when the URL is acceptable, else what is wrong with it. */
    public static String problem(String url, boolean local) {
        if (url == null || url.isBlank()) {
            return "url is required";
        }
        if (url.length() > MAX_LENGTH) {
            return "url is longer than " + MAX_LENGTH + " characters";
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "url is not a valid URL";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (!uri.isAbsolute() || uri.isOpaque() || host == null || host.isEmpty()) {
            return "url must be an absolute URL with a host";
        }
        if (uri.getRawUserInfo() != null) {
            return "url must not contain user info (credentials)";
        }
        if (uri.getRawFragment() != null) {
            return "url must not contain a fragment";
        }
        boolean loopbackName = isLoopbackName(host);
        if (scheme.equals("http")) {
            if (!(local && loopbackName)) {
                return local ? "url must use https (http only to localhost, 127.0.0.1 or [::1] in local mode)"
                        : "url must use https";
            }
        } else if (!scheme.equals("https")) {
            return "url must use https";
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            return "url has an invalid port";
        }
        String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (!literal.contains(":") && endsInNumber(literal) && !DOTTED_QUAD.matcher(literal).matches()) {
            return "url's host is an IPv4 address in a non-standard spelling; write it as four decimal numbers (a.b.c.d)";
        }
        if (isIpLiteral(literal)) {
            try {
                InetAddress address = InetAddress.getByName(literal);
                // Java turns ::ffff:a.b.c.d into a.b.c.d: an IPv6 spelling of loopback is never local mode's loopback.
                boolean spelledAsIpv6 = literal.contains(":") && address instanceof java.net.Inet4Address;
                String refusal = AddressPolicy.refusal(address, local && !spelledAsIpv6);
                if (refusal != null) {
                    return "url points at a " + refusal + "; webhooks go to public addresses only";
                }
            } catch (java.net.UnknownHostException e) {
                return "url has an invalid IP address";
            }
        } else if (!local && (loopbackName || host.toLowerCase(Locale.ROOT).endsWith(".localhost"))) {
            return "url points at this machine; webhooks go to public addresses only";
        }
        return null;
    }

    private static final java.util.regex.Pattern DOTTED_QUAD = java.util.regex.Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])");

    /** The WHATWG URL standard's test: the last label (before an optional final dot) is a decimal or 0x number. */
    static boolean endsInNumber(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String last = h.substring(h.lastIndexOf('.') + 1);
        return !last.isEmpty() && (last.chars().allMatch(c -> c >= '0' && c <= '9') || last.matches("0[xX][0-9a-fA-F]*"));
    }

    static boolean isLoopbackName(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("127.0.0.1") || h.equals("[::1]") || h.equals("::1");
    }

    /** A dotted-quad or IPv6 literal (never resolved through DNS). */
    public static boolean isIpLiteral(String host) {
        return host.matches("[0-9.]+") || (host.contains(":") && host.matches("[0-9a-fA-F:.%A-Za-z]+"));
    }
}
