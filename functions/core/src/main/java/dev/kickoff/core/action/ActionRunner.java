package dev.kickoff.core.action;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.connection.ConnectionService;
import dev.kickoff.core.connection.ConnectionUnavailableException;
import dev.kickoff.core.connection.OpenedConnection;
import dev.kickoff.core.json.Json;

import java.time.Duration;
import java.util.List;

/**
 * Everything between "the engine has resolved a step's config" and "here is the step's result", for a step type
 * to wrap: finds the action, picks and opens the connection (the step's {@code config.connection}, else the
 * run's {@code connectionId} if it is of the action's provider, else the organization's default), performs the
 * action with the step's idempotency key, and sweeps every secret value out of the output, the recorded input and
 * the error. A connection that cannot be had is a permanent failure with a message that says why.
 */
public final class ActionRunner {
    private final Actions actions;
    private final ConnectionService connections;

    public ActionRunner(Actions actions, ConnectionService connections) {
        this.actions = actions;
        this.connections = connections;
    }

    /**
     * @param actionName      {@code stripe.createInvoice}, {@code http}, {@code email}, ...
     * @param config          the step's config, templates resolved
     * @param runConnectionId the run's {@code connectionId} (seed 003), or null
     * @param idempotencyKey  {@link ActionRequest#idempotencyKey(long, String)}
     * @param timeLeft        what is left of the invocation
     * @param continueOnError the step's {@code continueOnError}
     */
    public ActionResult run(String actionName, JsonNode config, long orgId, String runConnectionId,
                            String idempotencyKey, Duration timeLeft, boolean continueOnError) {
        Action action = actions.find(actionName).orElse(null);
        JsonNode recorded = config == null ? Json.object() : config;
        if (action == null) {
            return new ActionResult.Failed(false, null, "unknown_action", "unknown action '" + actionName
                    + "'; known actions: " + String.join(", ", actions.actionNames()), recorded);
        }
        OpenedConnection connection = null;
        if (action.provider() != null) {
            JsonNode named = config == null ? null : config.get("connection");
            String stepConnection = named == null || named.isNull() ? null : named.asText();
            try {
                connection = action.needsConnection(config) || stepConnection != null
                        ? connections.open(orgId, action.provider(), stepConnection, runConnectionId)
                        : connections.openIfNamed(orgId, action.provider(), null, runConnectionId);
            } catch (ConnectionUnavailableException e) {
                return new ActionResult.Failed(false, null, "connection_unavailable", e.getMessage(), recorded);
            }
        }
        List<String> secrets = Redaction.values(connection);
        ActionResult result = action.perform(new ActionRequest(config, connection, idempotencyKey, timeLeft,
                continueOnError));
        return Redaction.redact(result, secrets);
    }

    public Actions actions() {
        return actions;
    }
}
