package dev.kickoff.core.action;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.connection.Provider;
import dev.kickoff.core.error.FieldError;

import java.util.List;

/**
 * One provider operation a step can perform ({@code http.request}, {@code stripe.createInvoice},
 * {@code email.send}, ...): a plain class over the outbound ports, no engine types, so that a step type wraps it in
 * a few lines. It takes the step's config with its templates already resolved and the connection with its
 * secrets opened, and answers an {@link ActionResult}; it does not throw for anything the provider or the
 * network does.
 */
public interface Action {
    /** {@code provider.operation}, as a definition names it ({@code "action": "stripe.createInvoice"}). */
    String name();

    /** The provider of the connection it uses; null when it uses none. */
    Provider provider();

    /**
     * Whether it needs a connection for this config (else it uses one only when the step or the run names one):
     * true for Stripe and SMTP; for HTTP, only when the URL is relative to a connection's base URL.
     */
    boolean needsConnection(JsonNode config);

    /** Problems with a config before templates are resolved (literal values only), as JSON Pointers under {@code pointer}. */
    List<FieldError> validate(JsonNode config, String pointer);

    ActionResult perform(ActionRequest request);
}
