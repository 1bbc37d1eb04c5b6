package dev.kickoff.admin;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.kickoff.core.auth.IssuedToken;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.limit.ExecuteRateLimiter;
import dev.kickoff.core.org.OrganizationService;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.usage.PriceList;
import dev.kickoff.bootstrap.CompositionRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The admin Lambda ({@code template.yaml}: {@code dev.kickoff.admin.AdminHandler::handleRequest}), invoked by hand,
 * on AWS with {@code aws lambda invoke} and locally with {@code ./kickoff admin '<payload>'} (the local stack runs
 * this same class):
 * <pre>
 * aws lambda invoke --function-name &lt;AdminFunctionName&gt; --cli-binary-format raw-in-base64-out \
 *   --payload '{"action": "create-org", "name": "Acme"}' out.json
 * </pre>
 * <ul>
 * <li>{@code {"action": "create-org", "name": …}} answers {@code {"org_id", "manage_token", "api_token"}}: an
 *     organization ready to use, the shape of the local stack's {@code credentials.json};</li>
 * <li>{@code {"action": "create-organization", "name": …}} answers {@code {"org_id", "name", "manage_token"}}
 *     (API tokens are then made with the manage token);</li>
 * <li>{@code {"action": "set-execute-rate-limit", "org_id": …, "per_minute": 2000}} sets an organization's own
 *     limit on execute (trigger) requests per minute per API token ({@code "per_minute": null} restores the
 *     default, 500).</li>
 * <li>{@code {"action": "set-prices", "org_id": …, "prices": {"per_run": "0.1", "per_step": {"http": "0.02"}}}} sets
 *     the prices an organization's runs are metered at, merged over the defaults ({@code "prices": null} restores
 *     them); answers the organization's whole price list. Prices are cents, as exact decimals (numbers or strings).</li>
 * <li>{@code {"action": "set-monthly-run-quota", "org_id": …, "runs": 100000}} sets the most runs an organization may
 *     start in a month (UTC); past it, triggers answer 429 {@code quota_exceeded} and schedules record skipped fires
 *     ({@code "runs": null} removes the quota).</li>
 * <li>{@code {"action": "get-billing", "org_id": …}} answers the organization's price list and quota.</li>
 * </ul>
 * Prices and quotas reach every function instance within a minute.
 * Tokens are in the answer only, never in the log. A request it cannot carry out answers {@code {"error": …}}
 * (a normal return, so {@code aws lambda invoke} writes it to its output file like any answer).
 */
public class AdminHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    static final String ACTIONS = "create-org, create-organization, set-execute-rate-limit, set-prices,"
            + " set-monthly-run-quota, get-billing";
    /** The name of the API token create-org issues (shown as the run's trigger name in seeds 002 and 004). */
    static final String DEFAULT_API_TOKEN_NAME = "default";

    private final CompositionRoot runtime;

    public AdminHandler() {
        this(Map.of());
    }

    public AdminHandler(Map<String, String> environment) {
        this.runtime = CompositionRoot.fromEnvironment(environment);
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Object action = input == null ? null : input.get("action");
        if (action == null) {
            return error("the payload needs an \"action\"; supported: " + ACTIONS);
        }
        try {
            return switch (String.valueOf(action)) {
                case "create-org" -> createOrg(input);
                case "create-organization" -> createOrganization(input);
                case "set-execute-rate-limit" -> setExecuteRateLimit(input);
                case "set-prices" -> setPrices(input);
                case "set-monthly-run-quota" -> setMonthlyRunQuota(input);
                case "get-billing" -> billing(input);
                default -> error("unknown action " + action + "; supported: " + ACTIONS);
            };
        } catch (KickoffException e) {
            return error(e.getMessage());
        }
    }

    private Map<String, Object> createOrganization(Map<String, Object> input) {
        if (!(input.get("name") instanceof String name)) {
            return error("create-organization needs a \"name\" (a string of 1 to 200 characters)");
        }
        OrganizationService.Bootstrap boot = runtime.organizations().create(name);
        LOG.info("created organization {} with manage token {}", boot.organization().id(),
                boot.manageToken().token().id());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("org_id", boot.organization().id());
        out.put("name", boot.organization().name());
        out.put("manage_token", boot.manageToken().secret());
        return out;
    }

    /**
     * An organization with a manage token and an API token. These are three writes, like the local stack's first
     * start: should the API token fail, the answer still carries the organization and its manage token (their only
     * copy), with the error; an API token can then be made through the management API.
     */
    private Map<String, Object> createOrg(Map<String, Object> input) {
        if (!(input.get("name") instanceof String name)) {
            return error("create-org needs a \"name\" (a string of 1 to 200 characters)");
        }
        OrganizationService.Bootstrap boot = runtime.organizations().create(name);
        long orgId = boot.organization().id();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("org_id", orgId);
        out.put("manage_token", boot.manageToken().secret());
        IssuedToken api;
        try {
            api = runtime.tokens().issue(orgId, DEFAULT_API_TOKEN_NAME, Scope.API);
        } catch (RuntimeException e) {
            LOG.warn("created organization {} with manage token {}, but not its API token: {}", orgId,
                    boot.manageToken().token().id(), e.toString());
            out.put("error", "the organization was created, but not its API token (" + e.getMessage()
                    + "); create one with the manage token: POST /api/manage/v1/tokens");
            return out;
        }
        LOG.info("created organization {} with manage token {} and API token {}", orgId,
                boot.manageToken().token().id(), api.token().id());
        out.put("api_token", api.secret());
        return out;
    }

    private Map<String, Object> setExecuteRateLimit(Map<String, Object> input) {
        if (!(input.get("org_id") instanceof Number orgId) || !input.containsKey("per_minute")
                || !(input.get("per_minute") == null || input.get("per_minute") instanceof Number)) {
            return error("set-execute-rate-limit needs a numeric org_id and per_minute (a number, or null for the default)");
        }
        Number perMinute = (Number) input.get("per_minute");
        runtime.executeLimits().setLimit(orgId.longValue(), perMinute == null ? null : perMinute.intValue());
        LOG.info("set the execute rate limit of organization {} to {}", orgId, perMinute);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("org_id", orgId.longValue());
        out.put("execute_rate_limit_per_minute", perMinute == null
                ? ExecuteRateLimiter.DEFAULT_LIMIT_PER_MINUTE : perMinute.intValue());
        return out;
    }

    private Map<String, Object> setPrices(Map<String, Object> input) {
        if (!(input.get("org_id") instanceof Number orgId) || !input.containsKey("prices")
                || !(input.get("prices") == null || input.get("prices") instanceof Map<?, ?>)) {
            return error("set-prices needs a numeric org_id and prices (an object such as {\"per_run\": \"0.1\"},"
                    + " or null for the defaults)");
        }
        JsonNode prices = input.get("prices") == null ? null : Json.mapper().valueToTree(input.get("prices"));
        PriceList merged = runtime.billing().setPrices(orgId.longValue(), prices);
        LOG.info("set the prices of organization {}", orgId);
        return billingAnswer(orgId.longValue(), merged, runtime.billing().monthlyRunQuota(orgId.longValue()));
    }

    private Map<String, Object> setMonthlyRunQuota(Map<String, Object> input) {
        if (!(input.get("org_id") instanceof Number orgId) || !input.containsKey("runs")
                || !(input.get("runs") == null || input.get("runs") instanceof Number)) {
            return error("set-monthly-run-quota needs a numeric org_id and runs (a number, or null for no quota)");
        }
        Number runs = (Number) input.get("runs");
        if (runs != null && runs.doubleValue() != Math.floor(runs.doubleValue())) {
            return error("runs must be a whole number");
        }
        runtime.billing().setMonthlyRunQuota(orgId.longValue(), runs == null ? null : runs.longValue());
        LOG.info("set the monthly run quota of organization {} to {}", orgId, runs);
        return billingAnswer(orgId.longValue(), runtime.billing().prices(orgId.longValue()),
                runs == null ? null : runs.longValue());
    }

    private Map<String, Object> billing(Map<String, Object> input) {
        if (!(input.get("org_id") instanceof Number orgId)) {
            return error("get-billing needs a numeric org_id");
        }
        if (runtime.organizations().find(orgId.longValue()).isEmpty()) {
            return error("organization " + orgId + " not found");
        }
        return billingAnswer(orgId.longValue(), runtime.billing().prices(orgId.longValue()),
                runtime.billing().monthlyRunQuota(orgId.longValue()));
    }

    private static Map<String, Object> billingAnswer(long orgId, PriceList prices, Long quota) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("org_id", orgId);
        out.put("prices", Json.mapper().convertValue(prices.toJson(), Map.class));
        out.put("monthly_run_quota", quota);
        return out;
    }

    private static Map<String, Object> error(String message) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("error", message);
        return out;
    }
}
