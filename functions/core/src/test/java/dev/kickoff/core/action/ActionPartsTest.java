package dev.kickoff.core.action;

import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.SecretBox;
import dev.kickoff.core.secret.Envelope;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pure parts of the actions: amounts, encodings, Retry-After, redaction, validation, the envelope. */
class ActionPartsTest {
    @Test
    void amountsGoToTheSmallestUnitOfTheirCurrency() {
        assertThat(MinorUnits.of(new BigDecimal("4317.84"), "usd")).isEqualTo(431784);
        assertThat(MinorUnits.of(new BigDecimal("4317.840000"), "eur")).isEqualTo(431784);
        assertThat(MinorUnits.of(new BigDecimal("21.5892"), "usd")).as("half up").isEqualTo(2159);
        assertThat(MinorUnits.of(new BigDecimal("5000"), "JPY")).isEqualTo(5000);
        assertThat(MinorUnits.of(new BigDecimal("1234.5"), "krw")).isEqualTo(1235);
        assertThat(MinorUnits.of(new BigDecimal("1.234"), "kwd")).as("three decimals, a multiple of ten").isEqualTo(1230);
    }

    @Test
    void formsNestLikeStripesAndRetryAfterReadsBothForms() {
        var pairs = HttpParts.flatten(Json.parse("{\"a\": 1, \"metadata\": {\"k\": \"v w\"}, \"items\": [{\"p\": 2.50}], \"n\": null}"));
        assertThat(HttpParts.encode(pairs)).isEqualTo("a=1&metadata%5Bk%5D=v+w&items%5B0%5D%5Bp%5D=2.50");
        Clock clock = Clock.fixed(Instant.parse("2015-10-21T07:27:00Z"), ZoneOffset.UTC);
        assertThat(HttpParts.retryAfter("120", clock)).isEqualTo(Duration.ofSeconds(120));
        assertThat(HttpParts.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT", clock)).isEqualTo(Duration.ofSeconds(60));
        assertThat(HttpParts.retryAfter("Wed, 21 Oct 2015 07:00:00 GMT", clock)).isEqualTo(Duration.ZERO);
        assertThat(HttpParts.retryAfter("soon", clock)).isNull();
    }

    @Test
    void redactionMasksEveryStringHoldingASecret() {
        var redacted = Redaction.redact(Json.parse("{\"a\": \"Bearer tok_12345\", \"b\": [\"x\", \"tok_12345\"], \"c\": 3, \"d\": \"ab\"}"),
                List.of("tok_12345", "ab"));
        assertThat(Json.write(redacted)).isEqualTo("{\"a\":\"***\",\"b\":[\"x\",\"***\"],\"c\":3,\"d\":\"***\"}");
        assertThat(Redaction.redact("the key abcd-secret failed", List.of("abcd-secret"))).isEqualTo("the key *** failed");
        assertThat(Redaction.redact("a cab", List.of("ab"))).as("short secrets only when whole").isEqualTo("a cab");
    }

    @Test
    void urlsStayUnderTheConnectionsBase() {
        var c = dev.kickoff.core.testing.Connections.http("https://api.example.com/v1");
        assertThat(HttpRequestAction.url("orders", c)).isEqualTo("https://api.example.com/v1/orders");
        assertThat(HttpRequestAction.url("https://api.example.com/v1/orders?x=1", c)).isEqualTo("https://api.example.com/v1/orders?x=1");
        for (String outside : List.of("https://api.example.com/v10", "https://api.example.com.evil.org/v1/x",
                "https://evil.org/v1", "http://api.example.com/v1/x", "https://api.example.com/v1/../admin", "../admin",
                "a/../../admin")) {
            assertThatThrownBy(() -> HttpRequestAction.url(outside, c)).as(outside).isInstanceOf(ActionFailure.class);
        }
        assertThatThrownBy(() -> HttpRequestAction.url("/relative", null)).isInstanceOf(ActionFailure.class);
    }

    @Test
    void definitionsAreCheckedWithPointers() {
        var invoice = new StripeCreateInvoice(r -> null, Clock.systemUTC());
        assertThat(invoice.validate(Json.parse("{\"amount\": -1, \"currency\": \"dollars\", \"x\": 1}"), "/steps/1/config"))
                .extracting(FieldError::path).containsExactlyInAnyOrder("/steps/1/config/customerId",
                        "/steps/1/config/amount", "/steps/1/config/currency", "/steps/1/config/x");
        assertThat(invoice.validate(Json.parse("{\"customerId\": \"{{input.customerId}}\", \"amount\":"
                + " \"{{steps.calculate-total.output.total}}\", \"metadata\": {\"source\": \"api-order\"}}"), "/c")).isEmpty();
        var email = new EmailSendAction("email", (s, m) -> null);
        assertThat(email.validate(Json.parse("{\"action\": \"send\", \"to\": \"{{input.customerEmail}}\", \"subject\":"
                + " \"Order Confirmed\", \"body\": {\"html\": \"<p>hi</p>\"}}"), "/c")).as("seed 003's email step").isEmpty();
        assertThat(email.validate(Json.parse("{\"action\": \"fax\", \"to\": \"not-mail\", \"body\": {}}"), "/c"))
                .extracting(FieldError::path).containsExactlyInAnyOrder("/c/action", "/c/to", "/c/subject", "/c/body");
        var http = new HttpRequestAction("http", r -> null, Clock.systemUTC());
        assertThat(http.validate(Json.parse("{\"method\": \"BREW\", \"headers\": {\"Host\": \"x\"}, \"timeout\": -2}"), "/c"))
                .extracting(FieldError::path).containsExactlyInAnyOrder("/c/url", "/c/method", "/c/headers/Host", "/c/timeout");
    }

    @Test
    void theEnvelopeIsBoundToItsContextAndRefusesGarbage() {
        byte[] key = Envelope.randomKey();
        SecretBox.Context ctx = new SecretBox.Context(7, "conn_x");
        byte[] blob = Envelope.seal(Envelope.KMS, "arn:aws:kms:…:key/1", new byte[]{1, 2, 3}, key, Map.of("a", "b"), ctx).encode();
        Envelope e = Envelope.decode(blob);
        assertThat(e.keyRef()).isEqualTo("arn:aws:kms:…:key/1");
        assertThat(e.encryptedKey()).containsExactly(1, 2, 3);
        assertThat(e.open(key, ctx)).isEqualTo(Map.of("a", "b"));
        assertThatThrownBy(() -> e.open(key, new SecretBox.Context(8, "conn_x"))).isInstanceOf(SecretBox.SecretsUnavailableException.class);
        assertThatThrownBy(() -> e.open(Envelope.randomKey(), ctx)).isInstanceOf(SecretBox.SecretsUnavailableException.class);
        assertThatThrownBy(() -> Envelope.decode("{\"apiKey\": \"x\"}".getBytes()))
                .isInstanceOf(SecretBox.SecretsUnavailableException.class);
        assertThatThrownBy(() -> Envelope.decode(java.util.Arrays.copyOf(blob, 20)))
                .isInstanceOf(SecretBox.SecretsUnavailableException.class);
    }
}
