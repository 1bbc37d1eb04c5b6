package dev.kickoff.core.run;

import dev.kickoff.core.json.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestFingerprintTest {
    static String fp(String input, String connection) {
        return RequestFingerprint.of(Json.parse(input), connection);
    }

    @Test
    void keyOrderAndNumberSpellingDoNotMatterButValuesDo() {
        String base = fp("{\"a\": 1.50, \"b\": [1, {\"y\": 2, \"x\": 1}]}", "c");
        assertThat(fp("{\"b\": [1.0, {\"x\": 1, \"y\": 2.000}], \"a\": 1.5}", "c")).isEqualTo(base).hasSize(64);
        assertThat(fp("{\"a\": 1.51, \"b\": [1, {\"y\": 2, \"x\": 1}]}", "c")).isNotEqualTo(base);
        assertThat(fp("{\"a\": 1.50, \"b\": [{\"y\": 2, \"x\": 1}, 1]}", "c")).isNotEqualTo(base);
        assertThat(fp("{\"a\": 1.50, \"b\": [1, {\"y\": 2, \"x\": 1}]}", null)).isNotEqualTo(base);
        assertThat(fp("{\"a\": \"1.5\"}", null)).isNotEqualTo(fp("{\"a\": 1.5}", null));
        assertThat(fp("{\"a\": null}", null)).isNotEqualTo(fp("{}", null));
    }

    @Test
    void hugeExponentsStayCheap() {
        // The API refuses such numbers when it parses them; the fingerprint stays cheap on its own anyway.
        var a = dev.kickoff.core.json.Json.object().put("a", new java.math.BigDecimal("1e999999999"));
        var b = dev.kickoff.core.json.Json.object().put("a", new java.math.BigDecimal("1e999999998"));
        assertThat(RequestFingerprint.of(a, null)).isNotEqualTo(RequestFingerprint.of(b, null));
    }
}
