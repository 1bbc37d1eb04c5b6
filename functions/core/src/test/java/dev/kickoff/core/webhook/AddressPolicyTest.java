package dev.kickoff.core.webhook;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every spelling of a loopback, private, link-local or metadata address that reaches the policy is refused on AWS;
 * locally only plain loopback passes, never loopback carried inside an IPv6 form.
 */
class AddressPolicyTest {
    static InetAddress parse(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // loopback inside IPv6: mapped, compatible, SIIT-translated, NAT64 (well-known and local-use), 6to4, ISATAP
            "::ffff:127.0.0.1", "::ffff:7f00:1", "::127.0.0.1", "::7f00:1", "::ffff:0:127.0.0.1",
            "64:ff9b::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b:1::7f00:1", "2002:7f00:1::", "2002:7f00:1:1::1",
            "2a01:4f8::5efe:127.0.0.1", "2a01:4f8::200:5efe:7f00:1",
            // Teredo: 2001:0::/32 with the client 127.0.0.1 XOR-ed into the last 32 bits; the rest of 2001::/23
            "2001:0:4136:e378:8000:63bf:80ff:fffe", "2001::1", "2001:2::1", "2001:10::1",
            // metadata and link-local, plain and embedded
            "169.254.169.254", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::", "fe80::1",
            "fe80::a9fe:a9fe", "fd00:ec2::254", "fd00::1", "fc00::1",
            // private, embedded
            "::ffff:10.0.0.1", "::ffff:192.168.1.1", "64:ff9b::c0a8:101", "2002:c0a8:101::", "::ffff:172.16.0.1",
            // unspecified and reserved IPv6
            "::", "::ffff:0.0.0.0", "100::1", "3fff::1", "5f00::1", "4000::1", "e000::1", "ff02::1", "fec0::1",
            // IPv4 that the resolver accepts in other spellings: decimal, short forms
            "2130706433", "127.1", "0", "169.254.43518", "2852039166", "3232235777", "192.88.99.1",
    })
    void refusedOnAws(String spelling) throws UnknownHostException {
        InetAddress address = parse(spelling);
        assertThat(AddressPolicy.refusal(address, false)).as(spelling + " = " + address.getHostAddress()).isNotNull();
        assertThat(AddressPolicy.allowed(address, false)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b:1::7f00:1", "2002:7f00:1::",
            "2001:0:4136:e378:8000:63bf:80ff:fffe", "::ffff:0:7f00:1"})
    void loopbackInsideAnIpv6FormIsRefusedLocallyToo(String spelling) {
        String url = "https://[" + spelling + "]/hooks";
        assertThat(WebhookUrls.problem(url, true)).as(url).isNotNull().contains("public addresses only");
        assertThat(WebhookUrls.problem(url, false)).as(url).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.2", "::1"})
    void plainLoopbackIsAllowedLocallyOnly(String literal) throws UnknownHostException {
        assertThat(AddressPolicy.allowed(parse(literal), true)).isTrue();
        assertThat(AddressPolicy.allowed(parse(literal), false)).isFalse();
    }

    /** Browsers, curl and the C resolver read these as 127.0.0.1 or 169.254.169.254; Java reads some differently. */
    @ParameterizedTest
    @ValueSource(strings = {"2130706433", "0x7f000001", "0x7f.1", "0177.0.0.1", "0177.1", "127.1", "127.0.0.1.",
            "0251.0376.0251.0376", "0xa9.0xfe.0xa9.0xfe", "2852039166", "169.254.43518", "1.1.1.01", "08.8.8.8"})
    void ipv4InOtherSpellingsIsRefusedWhenSaved(String host) {
        for (boolean local : new boolean[]{false, true}) {
            String problem = WebhookUrls.problem("https://" + host + "/hooks", local);
            assertThat(problem).as(host).isNotNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://93.184.216.34/hooks", "https://[2606:4700::1111]/hooks",
            "https://[::ffff:93.184.216.34]/hooks", "https://[64:ff9b::808:808]/hooks", "https://hooks.example.com/in",
            "https://1password.example/in", "https://example.com./in"})
    void publicAddressesAndNamesAreAccepted(String url) {
        assertThat(WebhookUrls.problem(url, false)).as(url).isNull();
    }
}
