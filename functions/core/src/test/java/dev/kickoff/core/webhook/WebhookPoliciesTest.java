package dev.kickoff.core.webhook;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookPoliciesTest {
    static boolean allowed(String ip, boolean local) throws Exception {
        return AddressPolicy.allowed(InetAddress.getByName(ip), local);
    }

    @Test
    void onlyPublicUnicastAddressesAreAllowed() throws Exception {
        for (String refused : List.of("127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.0.1", "172.31.255.255",
                "192.168.1.1", "100.64.0.1", "100.127.255.254", "169.254.169.254", "169.254.0.1", "0.0.0.0",
                "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.2.1", "198.51.100.1",
                "203.0.113.9", "198.18.0.1", "::", "::1", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1",
                "::ffff:10.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:1", "2002:a00:1::", "2001:db8::1",
                "::127.0.0.1")) {
            assertThat(allowed(refused, false)).as(refused).isFalse();
        }
        for (String ok : List.of("93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111",
                "::ffff:93.184.216.34", "64:ff9b::808:808")) {
            assertThat(allowed(ok, false)).as(ok).isTrue();
        }
    }

    @Test
    void localModeAllowsLoopbackAndNothingElsePrivate() throws Exception {
        assertThat(allowed("127.0.0.1", true)).isTrue();
        assertThat(allowed("::1", true)).isTrue();
        assertThat(allowed("10.0.0.1", true)).isFalse();
        assertThat(allowed("169.254.169.254", true)).isFalse();
        assertThat(allowed("fd00:ec2::254", true)).isFalse();
    }

    @Test
    void urls() {
        assertThat(WebhookUrls.problem("https://hooks.example.com/in?x=1", false)).isNull();
        assertThat(WebhookUrls.problem("https://hooks.example.com:8443/in", false)).isNull();
        assertThat(WebhookUrls.problem("http://hooks.example.com/in", false)).contains("https");
        assertThat(WebhookUrls.problem("http://localhost:3000/in", false)).contains("https");
        assertThat(WebhookUrls.problem("http://localhost:3000/in", true)).isNull();
        assertThat(WebhookUrls.problem("http://127.0.0.1:3000/in", true)).isNull();
        assertThat(WebhookUrls.problem("http://[::1]:3000/in", true)).isNull();
        assertThat(WebhookUrls.problem("http://hooks.example.com/in", true)).contains("https");
        assertThat(WebhookUrls.problem("https://a:b@hooks.example.com/", false)).contains("user info");
        assertThat(WebhookUrls.problem("https://10.1.1.1/", false)).contains("private");
        assertThat(WebhookUrls.problem("https://localhost/", false)).contains("this machine");
        assertThat(WebhookUrls.problem("https://x.localhost/", false)).contains("this machine");
        assertThat(WebhookUrls.problem("/relative", false)).contains("absolute");
        assertThat(WebhookUrls.problem("https://h.example.com/" + "a".repeat(WebhookUrls.MAX_LENGTH), false))
                .contains("longer");
        assertThat(WebhookUrls.problem("https://h.example.com/a b", false)).contains("valid");
        assertThat(WebhookUrls.problem(null, false)).contains("required");
    }

    @Test
    void theScheduleIsStandardWebhooksAndParsesShortForms() {
        WebhookSettings d = WebhookSettings.defaults();
        assertThat(d.schedule()).containsExactly(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5),
                Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10),
                Duration.ofHours(10));
        assertThat(d.maxAttempts()).isEqualTo(8);
        assertThat(d.delayBefore(1)).isZero();
        assertThat(d.delayBefore(5)).isEqualTo(Duration.ofHours(2));
        assertThat(d.disableAfter()).isEqualTo(Duration.ofDays(5));
        assertThat(WebhookSettings.parseSchedule("0s, 500ms, 1m, 2d"))
                .containsExactly(Duration.ZERO, Duration.ofMillis(500), Duration.ofMinutes(1), Duration.ofDays(2));
        assertThatThrownBy(() -> WebhookSettings.parseDuration("soon")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void idsAreDerivedSoRepeatsCreateNothingTwice() {
        String a = WebhookIds.event("RUN#1", "run.completed", "2026-01-01T00:00:00Z");
        assertThat(a).isEqualTo(WebhookIds.event("RUN#1", "run.completed", "2026-01-01T00:00:00Z")).startsWith("evt_");
        assertThat(a).isNotEqualTo(WebhookIds.event("RUN#1", "run.failed", "2026-01-01T00:00:00Z"));
        assertThat(WebhookIds.delivery(a, 7)).isEqualTo(WebhookIds.delivery(a, 7)).isNotEqualTo(WebhookIds.delivery(a, 8));
        assertThat(WebhookIds.looksLikeDelivery(WebhookIds.delivery(a, 7))).isTrue();
        assertThat(WebhookIds.looksLikeDelivery(WebhookIds.replay())).isTrue();
        assertThat(WebhookIds.replay()).isNotEqualTo(WebhookIds.replay());
        assertThat(WebhookIds.secret()).startsWith("whsec_").isNotEqualTo(WebhookIds.secret());
    }

    @Test
    void secretsNeverPrintAndTheOldOneSignsOnlyDuringTheOverlap() {
        var now = java.time.Instant.parse("2026-01-01T00:00:00Z");
        var secrets = new Subscription.SigningSecrets("whsec_new", "whsec_old", now.plusSeconds(60));
        assertThat(secrets.active(now)).containsExactly("whsec_new", "whsec_old");
        assertThat(secrets.active(now.plusSeconds(60))).containsExactly("whsec_new");
        assertThat(secrets.toString()).doesNotContain("whsec");
    }
}
