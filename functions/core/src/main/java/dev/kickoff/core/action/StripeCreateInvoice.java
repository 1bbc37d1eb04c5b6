package dev.kickoff.core.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.connection.Provider;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.template.Template;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code stripe.createInvoice} (seed 003's "Create Invoice"): {@code customerId}, {@code amount} in the currency's
 * units (a decimal such as {@code 4317.84}; sent in the smallest unit, zero-decimal currencies as they are),
 * {@code currency} (default {@code usd}), {@code description}, {@code metadata} (passed through to the invoice and
 * its item), {@code daysUntilDue} (sends the invoice for payment instead of charging the customer's default
 * method). Three requests, each with its own idempotency key derived from the step's:
 * <ol>
 *   <li>a draft invoice ({@code POST /v1/invoices}, pending items excluded, so the invoice holds exactly this
 *       step's item);</li>
 *   <li>the invoice item on it ({@code POST /v1/invoiceitems} with {@code invoice});</li>
 *   <li>finalization ({@code POST /v1/invoices/{id}/finalize} with {@code auto_advance=true}), which gives the
 *       invoice its {@code number} and hands it to Stripe's collection (charge, or email with
 *       {@code daysUntilDue}).</li>
 * </ol>
 * A retry after any of them replays the ones already done (Stripe answers a repeated key with the stored
 * answer), so the customer is invoiced once. Output: Stripe's finalized invoice object, so
 * {@code {{steps.create-invoice.output.number}}} works.
 */
public final class StripeCreateInvoice implements Action {
    static final Set<String> CONFIG_KEYS = Set.of("customerId", "amount", "currency", "description", "metadata",
            "daysUntilDue", "connection", "timeout");

    private final StripeApi stripe;

    public StripeCreateInvoice(dev.kickoff.core.port.OutboundHttp http, Clock clock) {
        this.stripe = new StripeApi(http, clock);
    }

    @Override
    public String name() {
        return "stripe.createInvoice";
    }

    @Override
    public Provider provider() {
        return Provider.STRIPE;
    }

    @Override
    public boolean needsConnection(JsonNode config) {
        return true;
    }

    @Override
    public List<FieldError> validate(JsonNode config, String pointer) {
        List<FieldError> problems = new ArrayList<>();
        if (!ConfigKeys.check(config, pointer, CONFIG_KEYS, "stripe.createInvoice", problems)) {
            return problems;
        }
        if (!config.hasNonNull("customerId")) {
            problems.add(new FieldError(pointer + "/customerId", "customerId is required (a Stripe customer ID, cus_…)"));
        }
        JsonNode amount = config.get("amount");
        if (amount == null || amount.isNull()) {
            problems.add(new FieldError(pointer + "/amount", "amount is required (in the currency's units, e.g. 4317.84)"));
        } else if (!(amount.isNumber() && amount.decimalValue().signum() > 0)
                && !(amount.isTextual() && Template.isTemplated(amount.textValue()))) {
            problems.add(new FieldError(pointer + "/amount", "amount must be a positive number (or a template)"));
        }
        JsonNode currency = config.get("currency");
        if (currency != null && currency.isTextual() && !Template.isTemplated(currency.textValue())
                && !currency.textValue().matches("[A-Za-z]{3}")) {
            problems.add(new FieldError(pointer + "/currency", "currency must be a three-letter ISO code, e.g. usd"));
        }
        return problems;
    }

    @Override
    public ActionResult perform(ActionRequest request) {
        JsonNode config = request.config() == null ? Json.object() : request.config();
        ObjectNode recorded = Json.object();
        try {
            String customer = HttpParts.text(config, "customerId");
            recorded.put("customerId", customer);
            if (customer == null || customer.isBlank()) {
                throw ActionFailure.permanent("invalid_config", "customerId is required (a Stripe customer ID, cus_…)");
            }
            String currency = HttpParts.text(config, "currency");
            currency = currency == null || currency.isBlank() ? "usd" : currency.strip().toLowerCase(java.util.Locale.ROOT);
            recorded.put("currency", currency);
            if (!currency.matches("[a-z]{3}")) {
                throw ActionFailure.permanent("invalid_config", "currency must be a three-letter ISO code, e.g. usd");
            }
            BigDecimal amount = amount(config.get("amount"));
            recorded.put("amount", amount);
            long minor;
            try {
                minor = MinorUnits.of(amount, currency);
            } catch (ArithmeticException e) {
                throw ActionFailure.permanent("invalid_config", "amount is too large");
            }
            recorded.put("amount_minor", minor);
            JsonNode metadata = config.get("metadata");
            if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
                throw ActionFailure.permanent("invalid_config", "metadata must be an object");
            }
            String description = HttpParts.text(config, "description");
            if (description != null) {
                recorded.put("description", description);
            }
            if (metadata != null && !metadata.isNull()) {
                recorded.set("metadata", metadata);
            }
            JsonNode due = config.get("daysUntilDue");
            if (due != null && !due.isNull()) {
                if (!due.canConvertToInt() || due.asInt() < 0) {
                    throw ActionFailure.permanent("invalid_config", "daysUntilDue must be a whole number of days");
                }
                recorded.put("daysUntilDue", due.asInt());
            }
            Duration timeout = HttpParts.timeout(config.get("timeout"), request.timeLeft());
            String key = request.idempotencyKey();

            ObjectNode invoiceForm = Json.object();
            invoiceForm.put("customer", customer);
            invoiceForm.put("currency", currency);
            invoiceForm.put("auto_advance", "false");
            invoiceForm.put("pending_invoice_items_behavior", "exclude");
            if (description != null) {
                invoiceForm.put("description", description);
            }
            if (due != null && !due.isNull()) {
                invoiceForm.put("collection_method", "send_invoice");
                invoiceForm.put("days_until_due", due.asInt());
            }
            if (metadata != null && !metadata.isNull()) {
                invoiceForm.set("metadata", metadata);
            }
            JsonNode draft = stripe.post(request.connection(), "/v1/invoices", HttpParts.flatten(invoiceForm),
                    key + "-invoice", timeout);
            String invoiceId = draft.path("id").asText("");
            if (invoiceId.isEmpty()) {
                throw ActionFailure.permanent("unexpected_response", "Stripe answered an invoice without an id");
            }
            recorded.put("invoice", invoiceId);

            ObjectNode itemForm = Json.object();
            itemForm.put("customer", customer);
            itemForm.put("invoice", invoiceId);
            itemForm.put("amount", minor);
            itemForm.put("currency", currency);
            itemForm.put("description", description != null ? description : "Invoice");
            if (metadata != null && !metadata.isNull()) {
                itemForm.set("metadata", metadata);
            }
            stripe.post(request.connection(), "/v1/invoiceitems", HttpParts.flatten(itemForm), key + "-item", timeout);

            // Created with auto_advance off so nothing happens to a half-built invoice; finalized with it on, so
            // Stripe then collects it as its collection method says (charges the default method, or emails it).
            JsonNode finalized = stripe.post(request.connection(), "/v1/invoices/" + invoiceId + "/finalize",
                    List.of(java.util.Map.entry("auto_advance", "true")), key + "-finalize", timeout);
            return new ActionResult.Succeeded(finalized, recorded);
        } catch (ActionFailure f) {
            return f.result(recorded);
        }
    }

    private static BigDecimal amount(JsonNode node) {
        BigDecimal amount = null;
        if (node != null && node.isNumber()) {
            amount = node.decimalValue();
        } else if (node != null && node.isTextual()) {
            try {
                amount = new BigDecimal(node.textValue().strip());
            } catch (NumberFormatException ignored) {
                // below
            }
        }
        if (amount == null || amount.signum() <= 0) {
            throw ActionFailure.permanent("invalid_config", "amount must be a positive number in the currency's units"
                    + " (e.g. 4317.84), not " + (node == null ? "missing" : HttpParts.excerpt(
                    String.valueOf(node).getBytes(java.nio.charset.StandardCharsets.UTF_8), 40)));
        }
        return amount;
    }
}
