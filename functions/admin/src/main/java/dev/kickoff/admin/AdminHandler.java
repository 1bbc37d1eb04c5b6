package dev.kickoff.admin;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.org.OrganizationService;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The admin Lambda ({@code template.yaml}: {@code dev.kickoff.admin.AdminHandler::handleRequest}), invoked by hand:
 * <pre>
 * aws lambda invoke --function-name &lt;AdminFunctionName&gt; --cli-binary-format raw-in-base64-out \
 *   --payload '{"action": "create-organization", "name": "Acme"}' out.json
 * </pre>
 * answers {@code {"org_id": …, "manage_token": "mgt_…"}}. The token is in the response only: it is not logged.
 * {@code {"action": "set-execute-rate-limit", "org_id": …, "per_minute": 2000}} sets an organization's own limit on
 * execute (trigger) requests per minute per API token ({@code "per_minute": null} restores the default, 500).
 */
public class AdminHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

    private final CompositionRoot runtime;

    public AdminHandler() {
        this(Map.of());
    }

    public AdminHandler(Map<String, String> environment) {
        this.runtime = new CompositionRoot(Settings.fromEnvironment(environment));
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> input, Context context) {
        Object action = input == null ? null : input.get("action");
        Map<String, Object> out = new LinkedHashMap<>();
        if ("set-execute-rate-limit".equals(action)) {
            return setExecuteRateLimit(input, out);
        }
        if (!"create-organization".equals(action)) {
            out.put("error", "unknown action " + action + "; supported: create-organization, set-execute-rate-limit");
            return out;
        }
        try {
            OrganizationService.Bootstrap boot = runtime.organizations().create(String.valueOf(input.get("name")));
            LOG.info("created organization {} with manage token {}", boot.organization().id(),
                    boot.manageToken().token().id());
            out.put("org_id", boot.organization().id());
            out.put("name", boot.organization().name());
            out.put("manage_token", boot.manageToken().secret());
            return out;
        } catch (KickoffException e) {
            out.put("error", e.getMessage());
            return out;
        }
    }

    private Map<String, Object> setExecuteRateLimit(Map<String, Object> input, Map<String, Object> out) {
        if (!(input.get("org_id") instanceof Number orgId) || !input.containsKey("per_minute")
                || !(input.get("per_minute") == null || input.get("per_minute") instanceof Number)) {
            out.put("error", "set-execute-rate-limit needs a numeric org_id and per_minute (a number, or null for the default)");
            return out;
        }
        Number perMinute = (Number) input.get("per_minute");
        try {
            runtime.executeLimits().setLimit(orgId.longValue(), perMinute == null ? null : perMinute.intValue());
            LOG.info("set the execute rate limit of organization {} to {}", orgId, perMinute);
            out.put("org_id", orgId.longValue());
            out.put("execute_rate_limit_per_minute", perMinute == null
                    ? dev.kickoff.core.limit.ExecuteRateLimiter.DEFAULT_LIMIT_PER_MINUTE : perMinute.intValue());
            return out;
        } catch (KickoffException e) {
            out.put("error", e.getMessage());
            return out;
        }
    }
}
