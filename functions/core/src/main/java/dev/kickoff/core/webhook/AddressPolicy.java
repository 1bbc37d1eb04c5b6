package dev.kickoff.core.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Which IP addresses a webhook may be sent to: public unicast only. Refused: unspecified, loopback, private
 * (RFC 1918), CGNAT (100.64/10), link-local (169.254/16, fe80::/10, which holds the cloud metadata service
 * 169.254.169.254), unique-local (fc00::/7, which holds EC2's fd00:ec2::254), multicast, broadcast, reserved,
 * documentation and benchmarking ranges, every IPv6 address outside global unicast (2000::/3) except the NAT64
 * prefix, and IPv6 forms that carry an IPv4 address (mapped, compatible, SIIT-translated, NAT64, 6to4, ISATAP)
 * when that address is refused; Teredo (2001::/32, which tunnels to an IPv4 address hidden by XOR) and the rest
 * of the IETF protocol block 2001::/23 are refused outright. With {@code allowLoopback} (local mode only) plain
 * loopback (127/8, ::1) is allowed, never loopback spelled inside an IPv6 form: that is a way around a filter,
 * not a way to reach a local receiver.
 */
public final class AddressPolicy {
    private AddressPolicy() {
    }

    /** Null when the address may be used, else why not. */
    public static String refusal(InetAddress address, boolean allowLoopback) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return refusalV4(b, allowLoopback);
        }
        if (address instanceof Inet6Address) {
            return refusalV6(b, allowLoopback);
        }
        return "unknown address family";
    }

    public static boolean allowed(InetAddress address, boolean allowLoopback) {
        return refusal(address, allowLoopback) == null;
    }

    private static String refusalV4(byte[] b, boolean allowLoopback) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        if (a0 == 127) {
            return allowLoopback ? null : "loopback address";
        }
        if (a0 == 0) {
            return "unspecified address";
        }
        if (a0 == 10 || (a0 == 172 && a1 >= 16 && a1 <= 31) || (a0 == 192 && a1 == 168)) {
            return "private address";
        }
        if (a0 == 100 && a1 >= 64 && a1 <= 127) {
            return "carrier-grade NAT address";
        }
        if (a0 == 169 && a1 == 254) {
            return "link-local address (cloud metadata lives here)";
        }
        if (a0 >= 224 && a0 <= 239) {
            return "multicast address";
        }
        if (a0 >= 240) {
            return "reserved or broadcast address";
        }
        if (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2)) {
            return "reserved (IETF or documentation) address";
        }
        if (a0 == 192 && a1 == 88 && a2 == 99) {
            return "reserved (6to4 relay anycast) address";
        }
        if (a0 == 198 && (a1 == 18 || a1 == 19)) {
            return "benchmarking address";
        }
        if ((a0 == 198 && a1 == 51 && a2 == 100) || (a0 == 203 && a1 == 0 && a2 == 113)) {
            return "documentation address";
        }
        return null;
    }

    private static String refusalV6(byte[] b, boolean allowLoopback) {
        boolean zeroFirst8 = true;
        for (int i = 0; i < 8; i++) {
            zeroFirst8 &= b[i] == 0;
        }
        boolean zeroFirst10 = zeroFirst8 && b[8] == 0 && b[9] == 0;
        boolean zeroFirst12 = zeroFirst10 && b[10] == 0 && b[11] == 0;
        if (zeroFirst12) {
            boolean zeroRest = b[12] == 0 && b[13] == 0 && b[14] == 0;
            if (zeroRest && b[15] == 0) {
                return "unspecified address";
            }
            if (zeroRest && b[15] == 1) {
                return allowLoopback ? null : "loopback address";
            }
            return "IPv4-compatible address (deprecated, and never routed)";
        }
        if (zeroFirst10 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return embedded(b, 12, "IPv4-mapped");
        }
        if (zeroFirst8 && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && b[10] == 0 && b[11] == 0) {
            return embedded(b, 12, "IPv4-translated (SIIT)");
        }
        int b0 = b[0] & 0xff;
        int b1 = b[1] & 0xff;
        int b2 = b[2] & 0xff;
        int b3 = b[3] & 0xff;
        if (b0 == 0x00 && b1 == 0x64 && b2 == 0xff && b3 == 0x9b) {
            if (b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0 && b[8] == 0 && b[9] == 0 && b[10] == 0 && b[11] == 0) {
                return embedded(b, 12, "NAT64");
            }
            return "local-use NAT64 address (64:ff9b:1::/48)";
        }
        if (b0 == 0xff) {
            return "multicast address";
        }
        if (b0 == 0xfe && (b1 & 0xc0) == 0x80) {
            return "link-local address";
        }
        if (b0 == 0xfe && (b1 & 0xc0) == 0xc0) {
            return "site-local address";
        }
        if ((b0 & 0xfe) == 0xfc) {
            return "unique-local address (EC2's metadata service lives here)";
        }
        if (b0 == 0x01 && b1 == 0x00 && b2 == 0 && b3 == 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0) {
            return "discard-only address";
        }
        if (b0 == 0x20 && b1 == 0x01 && b2 == 0x0d && b3 == 0xb8) {
            return "documentation address";
        }
        if (b0 == 0x3f && b1 == 0xff && (b2 & 0xf0) == 0) {
            return "documentation address";
        }
        if (b0 == 0x20 && b1 == 0x01 && (b2 & 0xfe) == 0) {
            return b2 == 0 && b3 == 0 ? "Teredo address (a tunnel to a hidden IPv4 address)"
                    : "IETF protocol address (2001::/23: benchmarking, ORCHID, tunnels)";
        }
        if (b0 == 0x20 && b1 == 0x02) {
            return embedded(b, 2, "6to4");
        }
        if ((b0 & 0xe0) != 0x20) {
            return "reserved address (outside global unicast 2000::/3)";
        }
        if ((b[8] & 0xfd) == 0 && b[9] == 0 && (b[10] & 0xff) == 0x5e && (b[11] & 0xff) == 0xfe) {
            return embedded(b, 12, "ISATAP");
        }
        return null;
    }

    /** The IPv4 address at {@code offset}, judged without the loopback exemption. */
    private static String embedded(byte[] b, int offset, String form) {
        String inner = refusalV4(new byte[]{b[offset], b[offset + 1], b[offset + 2], b[offset + 3]}, false);
        return inner == null ? null : form + " form of a " + inner;
    }
}
