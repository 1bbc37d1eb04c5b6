package dev.kickoff.core.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.connection.Provider;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.json.Json;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code stripe.createCustomer}: {@code email}, {@code name}, {@code description}, {@code phone},
 * {@code metadata} (passed through). Output: Stripe's customer object ({@code {{steps.x.output.id}}} is its
 * {@code cus_…} ID).
 */
public final class StripeCreateCustomer implements Action {
    static final Set<String> CONFIG_KEYS = Set.of("email", "name", "description", "phone", "metadata", "connection", "timeout");
    static final Map<String, String> FIELDS = Map.of("email", "email", "name", "name", "description", "description",
            "phone", "phone");

    private final StripeApi stripe;

    public StripeCreateCustomer(dev.kickoff.core.port.OutboundHttp http, Clock clock) {
        this.stripe = new StripeApi(http, clock);
    }

    @Override
    public String name() {
        return "stripe.createCustomer";
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
        ConfigKeys.check(config, pointer, CONFIG_KEYS, "stripe.createCustomer", problems);
        return problems;
    }

    @Override
    public ActionResult perform(ActionRequest request) {
        JsonNode config = request.config() == null ? Json.object() : request.config();
        ObjectNode recorded = Json.object();
        try {
            ObjectNode form = Json.object();
            FIELDS.forEach((key, field) -> {
                JsonNode v = config.get(key);
                if (v != null && !v.isNull()) {
                    form.put(field, HttpParts.scalar(v));
                }
            });
            JsonNode metadata = config.get("metadata");
            if (metadata != null && !metadata.isNull()) {
                if (!metadata.isObject()) {
                    throw ActionFailure.permanent("invalid_config", "metadata must be an object");
                }
                form.set("metadata", metadata);
            }
            recorded.setAll(form);
            Duration timeout = HttpParts.timeout(config.get("timeout"), request.timeLeft());
            JsonNode customer = stripe.post(request.connection(), "/v1/customers", HttpParts.flatten(form),
                    request.idempotencyKey(), timeout);
            return new ActionResult.Succeeded(customer, recorded);
        } catch (ActionFailure f) {
            return f.result(recorded);
        }
    }
}
