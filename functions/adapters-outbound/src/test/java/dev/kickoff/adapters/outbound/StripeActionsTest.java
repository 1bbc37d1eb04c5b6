package dev.kickoff.adapters.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.action.ActionRequest;
import dev.kickoff.core.action.ActionResult;
import dev.kickoff.core.action.Redaction;
import dev.kickoff.core.action.StripeCreateCustomer;
import dev.kickoff.core.action.StripeCreateInvoice;
import dev.kickoff.core.connection.OpenedConnection;
import dev.kickoff.core.connection.Provider;
import dev.kickoff.core.json.Json;
import dev.kickoff.emulators.testing.FakeStripe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Stripe actions over the real client against the Stripe fake: amounts, idempotent retries, Stripe's errors. */
class StripeActionsTest {
    static final String KEY = "sk_test_51KickoffFakeKey0000000000";
    static FakeStripe stripe;
    static OpenedConnection connection;
    static final SafeHttpClient HTTP = new SafeHttpClient(true);
    static final StripeCreateInvoice INVOICE = new StripeCreateInvoice(HTTP, Clock.systemUTC());
    static final StripeCreateCustomer CUSTOMER = new StripeCreateCustomer(HTTP, Clock.systemUTC());

    @BeforeAll
    static void start() {
        stripe = FakeStripe.start(KEY);
        connection = Fixtures.connection(Provider.STRIPE, "{\"baseUrl\": \"" + stripe.baseUrl() + "\"}", Map.of("apiKey", KEY));
    }

    @AfterAll
    static void stop() {
        stripe.close();
    }

    static ActionResult invoice(String config, String key) {
        return INVOICE.perform(new ActionRequest(Json.parse(config), connection, key, Duration.ofSeconds(20), false));
    }

    @Test
    void seed003sInvoiceIsCreatedForTheTotalInCentsAndFinalizedWithANumber() {
        String customer = stripe.createCustomer("ada@example.com");
        // 2 x 1999 at 8 % tax: the transform step's exact decimal total.
        ActionResult r = invoice("""
                {"customerId": "%s", "amount": 4317.84, "metadata": {"source": "api-order"}}""".formatted(customer),
                "9001-create-invoice");
        assertThat(r).isInstanceOf(ActionResult.Succeeded.class);
        JsonNode invoice = ((ActionResult.Succeeded) r).output();
        assertThat(invoice.get("object").asText()).isEqualTo("invoice");
        assertThat(invoice.get("number").asText()).as("{{steps.create-invoice.output.number}}").isNotBlank();
        assertThat(invoice.get("status").asText()).isEqualTo("open");
        assertThat(invoice.get("auto_advance").asBoolean()).as("handed to Stripe's collection").isTrue();
        assertThat(invoice.get("total").asLong()).isEqualTo(431784);
        assertThat(invoice.get("currency").asText()).isEqualTo("usd");
        assertThat(invoice.at("/metadata/source").asText()).isEqualTo("api-order");
        assertThat(invoice.at("/lines/data/0/amount").asLong()).isEqualTo(431784);
        assertThat(r.recordedInput().get("amount_minor").asLong()).isEqualTo(431784);

        List<FakeStripe.Request> sent = stripe.requests().stream()
                .filter(q -> q.idempotencyKey() != null && q.idempotencyKey().startsWith("9001-create-invoice")).toList();
        assertThat(sent).extracting(FakeStripe.Request::path).containsExactly("/v1/invoices", "/v1/invoiceitems",
                "/v1/invoices/" + invoice.get("id").asText() + "/finalize");
        assertThat(sent).extracting(FakeStripe.Request::idempotencyKey).doesNotHaveDuplicates()
                .allMatch(k -> k.startsWith("9001-create-invoice-"));
        assertThat(sent.get(1).form()).containsEntry("amount", "431784").containsEntry("invoice", invoice.get("id").asText());
        assertThat(sent.get(0).form()).containsEntry("auto_advance", "false").containsEntry("metadata[source]", "api-order");
        assertThat(sent.get(2).form()).containsEntry("auto_advance", "true");
    }

    @Test
    void aRetriedStepReplaysStripesAnswersAndInvoicesOnce() {
        String customer = stripe.createCustomer("bo@example.com");
        String config = "{\"customerId\": \"" + customer + "\", \"amount\": 12.5}";
        // The first attempt dies at finalization (Stripe answers 500); the retry repeats all three requests.
        stripe.failNext("/v1/invoices/[^/]+/finalize", 500, "api_error", null, "boom", Map.of());
        ActionResult first = invoice(config, "9002-invoice");
        assertThat(first).isInstanceOfSatisfying(ActionResult.Failed.class, f -> {
            assertThat(f.retryable()).isTrue();
            assertThat(f.message()).isEqualTo("Stripe: boom");
        });
        String draft = first.recordedInput().get("invoice").asText();
        int invoicesBefore = stripe.invoices().size();
        int itemsBefore = stripe.invoiceItems().size();
        ActionResult again = invoice(config, "9002-invoice");
        assertThat(((ActionResult.Succeeded) again).output().get("id").asText()).isEqualTo(draft);
        assertThat(((ActionResult.Succeeded) again).output().get("number").asText()).isNotBlank();
        assertThat(stripe.invoices()).hasSize(invoicesBefore);
        assertThat(stripe.invoiceItems()).hasSize(itemsBefore);
        assertThat(stripe.requests().stream().filter(q -> "9002-invoice-item".equals(q.idempotencyKey())))
                .extracting(FakeStripe.Request::replayed).containsExactly(false, true);
        assertThat(((ActionResult.Succeeded) again).output().get("total").asLong()).isEqualTo(1250);
    }

    @Test
    void zeroDecimalCurrenciesAreSentAsTheyAre() {
        String customer = stripe.createCustomer("jp@example.com");
        ActionResult r = invoice("{\"customerId\": \"" + customer + "\", \"amount\": 5000, \"currency\": \"JPY\"}", "9003-jpy");
        JsonNode invoice = ((ActionResult.Succeeded) r).output();
        assertThat(invoice.get("currency").asText()).isEqualTo("jpy");
        assertThat(invoice.get("total").asLong()).isEqualTo(5000);
    }

    @Test
    void stripeErrorsFailWithStripesMessageAndCode() {
        ActionResult.Failed missing = (ActionResult.Failed) invoice("{\"customerId\": \"cus_nope\", \"amount\": 10}", "9004-x");
        assertThat(missing.retryable()).isFalse();
        assertThat(missing.code()).isEqualTo("resource_missing");
        assertThat(missing.message()).contains("No such customer: 'cus_nope'");

        String customer = stripe.createCustomer("c@example.com");
        stripe.failNext("/v1/invoices", 402, "card_error", "card_declined", "Your card was declined.", Map.of());
        ActionResult.Failed declined = (ActionResult.Failed) invoice("{\"customerId\": \"" + customer + "\", \"amount\": 10}", "9005-x");
        assertThat(declined.code()).isEqualTo("card_declined");
        assertThat(declined.message()).isEqualTo("Stripe: Your card was declined.");
        assertThat(declined.retryable()).isFalse();

        stripe.failNext("/v1/invoices", 429, "invalid_request_error", "rate_limit", "Too many requests", Map.of("Retry-After", "3"));
        ActionResult.Failed limited = (ActionResult.Failed) invoice("{\"customerId\": \"" + customer + "\", \"amount\": 10}", "9006-x");
        assertThat(limited.retryable()).isTrue();
        assertThat(limited.retryAfter()).isEqualTo(Duration.ofSeconds(3));

        stripe.failNext("/v1/invoices", 400, "invalid_request_error", "lock_timeout", "busy", Map.of("Stripe-Should-Retry", "true"));
        assertThat(((ActionResult.Failed) invoice("{\"customerId\": \"" + customer + "\", \"amount\": 10}", "9007-x"))
                .retryable()).as("Stripe-Should-Retry wins").isTrue();
    }

    @Test
    void aWrongKeyFailsWithoutTheKeyInTheRecord() {
        OpenedConnection wrong = Fixtures.connection(Provider.STRIPE, "{\"baseUrl\": \"" + stripe.baseUrl() + "\"}",
                Map.of("apiKey", "sk_test_wrongwrongwrong1234"));
        ActionResult r = Redaction.redact(INVOICE.perform(new ActionRequest(Json.parse(
                "{\"customerId\": \"cus_1\", \"amount\": 1}"), wrong, "9008-x", Duration.ofSeconds(5), false)),
                List.of("sk_test_wrongwrongwrong1234"));
        ActionResult.Failed f = (ActionResult.Failed) r;
        assertThat(f.retryable()).isFalse();
        assertThat(f.message()).contains("Invalid API Key");
        assertThat(Json.write(r.recordedInput()) + f.message()).doesNotContain("sk_test_wrongwrongwrong1234");
    }

    @Test
    void createCustomerPassesMetadataThroughAndIsIdempotent() {
        String config = "{\"email\": \"new@example.com\", \"name\": \"New\", \"metadata\": {\"plan\": \"pro\"}}";
        ActionResult a = CUSTOMER.perform(new ActionRequest(Json.parse(config), connection, "9009-cust", Duration.ofSeconds(5), false));
        ActionResult b = CUSTOMER.perform(new ActionRequest(Json.parse(config), connection, "9009-cust", Duration.ofSeconds(5), false));
        JsonNode c = ((ActionResult.Succeeded) a).output();
        assertThat(c.get("id").asText()).startsWith("cus_");
        assertThat(c.at("/metadata/plan").asText()).isEqualTo("pro");
        assertThat(((ActionResult.Succeeded) b).output().get("id")).isEqualTo(c.get("id"));
        assertThat(stripe.customers().stream().filter(x -> "new@example.com".equals(x.path("email").asText()))).hasSize(1);
    }
}
