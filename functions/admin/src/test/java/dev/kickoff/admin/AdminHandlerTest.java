package dev.kickoff.admin;

import dev.kickoff.core.auth.Scope;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.LocalLambdaContext;
import dev.kickoff.emulators.testing.TestAws;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AdminHandlerTest {
    @Test
    void createsAnOrganizationWhoseManageTokenWorks() {
        var resources = TestAws.get().provision("admin");
        var spec = FunctionSpec.of("AdminFunction", resources);
        var handler = new AdminHandler(spec.environment());
        var out = handler.handleRequest(Map.of("action", "create-organization", "name", "Acme"),
                new LocalLambdaContext(spec));
        assertThat(out).containsKeys("org_id", "manage_token");
        String token = (String) out.get("manage_token");
        assertThat(token).startsWith("mgt_");

        var principal = new CompositionRoot(Settings.fromEnvironment(spec.environment())).tokens().authenticate(token);
        assertThat(principal).hasValueSatisfying(p -> {
            assertThat(p.orgId()).isEqualTo(((Number) out.get("org_id")).longValue());
            assertThat(p.scope()).isEqualTo(Scope.MANAGE);
        });

        assertThat(handler.handleRequest(Map.of("action", "drop-tables"), new LocalLambdaContext(spec)))
                .containsKey("error");
        assertThat(handler.handleRequest(Map.of("action", "create-organization", "name", " "),
                new LocalLambdaContext(spec)).get("error")).asString().contains("name");
    }

    @Test
    void setsAnOrganizationsExecuteRateLimit() {
        var resources = TestAws.get().provision("admin-limits");
        var spec = FunctionSpec.of("AdminFunction", resources);
        var handler = new AdminHandler(spec.environment());
        var context = new LocalLambdaContext(spec);
        long org = ((Number) handler.handleRequest(Map.of("action", "create-organization", "name", "Acme"), context)
                .get("org_id")).longValue();
        var runtime = new CompositionRoot(Settings.fromEnvironment(spec.environment()));

        var out = handler.handleRequest(Map.of("action", "set-execute-rate-limit", "org_id", org, "per_minute", 2000), context);
        assertThat(out).containsEntry("execute_rate_limit_per_minute", 2000);
        assertThat(runtime.executeLimits().limit(org, java.time.Instant.now())).isEqualTo(2000);

        var reset = new java.util.HashMap<String, Object>(Map.of("action", "set-execute-rate-limit", "org_id", org));
        reset.put("per_minute", null);
        assertThat(handler.handleRequest(reset, context)).containsEntry("execute_rate_limit_per_minute", 500);
        assertThat(new CompositionRoot(Settings.fromEnvironment(spec.environment())).executeLimits()
                .limit(org, java.time.Instant.now())).isEqualTo(500);

        assertThat(handler.handleRequest(Map.of("action", "set-execute-rate-limit", "org_id", org, "per_minute", 0),
                context).get("error")).asString().contains("between 1 and");
        assertThat(handler.handleRequest(Map.of("action", "set-execute-rate-limit", "org_id", 42, "per_minute", 10),
                context).get("error")).asString().contains("not found");
        assertThat(handler.handleRequest(Map.of("action", "set-execute-rate-limit", "org_id", "x"), context))
                .containsKey("error");
    }
    @Test
    void createOrgMakesAnOrganizationWithAManageTokenAndAnApiTokenThatBothWork() {
        var resources = TestAws.get().provision("admin-create-org");
        var spec = FunctionSpec.of("AdminFunction", resources);
        var handler = new AdminHandler(spec.environment());
        var out = handler.handleRequest(Map.of("action", "create-org", "name", "Second"), new LocalLambdaContext(spec));
        assertThat(out.keySet()).containsExactly("org_id", "manage_token", "api_token");
        long org = ((Number) out.get("org_id")).longValue();

        var tokens = new CompositionRoot(Settings.fromEnvironment(spec.environment())).tokens();
        assertThat(tokens.authenticate((String) out.get("manage_token"))).hasValueSatisfying(p -> {
            assertThat(p.orgId()).isEqualTo(org);
            assertThat(p.scope()).isEqualTo(Scope.MANAGE);
        });
        assertThat(tokens.authenticate((String) out.get("api_token"))).hasValueSatisfying(p -> {
            assertThat(p.orgId()).isEqualTo(org);
            assertThat(p.scope()).isEqualTo(Scope.API);
        });
        assertThat(tokens.list(org)).extracting(t -> t.name()).contains(AdminHandler.DEFAULT_API_TOKEN_NAME);

        // A second organization is another one, with tokens of its own.
        var second = handler.handleRequest(Map.of("action", "create-org", "name", "Third"), new LocalLambdaContext(spec));
        assertThat(((Number) second.get("org_id")).longValue()).isNotEqualTo(org);
        assertThat(second.get("api_token")).isNotEqualTo(out.get("api_token"));
    }

    @Test
    void badPayloadsAreClearErrorsAndCreateNothing() {
        var resources = TestAws.get().provision("admin-bad");
        var spec = FunctionSpec.of("AdminFunction", resources);
        var handler = new AdminHandler(spec.environment());
        var context = new LocalLambdaContext(spec);
        assertThat(handler.handleRequest(Map.of("name", "Acme"), context))
                .containsOnlyKeys("error").extracting(m -> (String) m.get("error")).asString()
                .contains("needs an \"action\"").contains("create-org");
        assertThat(handler.handleRequest(null, context)).containsOnlyKeys("error");
        assertThat(handler.handleRequest(Map.of("action", "create-orgs", "name", "Acme"), context).get("error"))
                .asString().contains("unknown action create-orgs").contains("create-org, create-organization");
        // Without a name (it used to become an organization called "null"), or with a name that is not a string.
        assertThat(handler.handleRequest(Map.of("action", "create-org"), context))
                .containsOnlyKeys("error").extracting(m -> (String) m.get("error")).asString().contains("\"name\"");
        assertThat(handler.handleRequest(Map.of("action", "create-organization"), context)).containsOnlyKeys("error");
        assertThat(handler.handleRequest(Map.of("action", "create-org", "name", 42), context)).containsOnlyKeys("error");
        assertThat(handler.handleRequest(Map.of("action", "create-org", "name", "x".repeat(201)), context))
                .containsOnlyKeys("error").extracting(m -> (String) m.get("error")).asString().contains("1 to 200");

        var scan = new CompositionRoot(Settings.fromEnvironment(spec.environment())).dynamo()
                .scan(b -> b.tableName(spec.environment().get("KICKOFF_TABLE")));
        assertThat(scan.count()).as("no organization or token was written").isZero();
    }

    @Test
    @SuppressWarnings("unchecked")
    void setsAnOrganizationsPricesAndMonthlyRunQuota() {
        var resources = TestAws.get().provision("admin-billing");
        var spec = FunctionSpec.of("AdminFunction", resources);
        var handler = new AdminHandler(spec.environment());
        var context = new LocalLambdaContext(spec);
        long org = ((Number) handler.handleRequest(Map.of("action", "create-organization", "name", "Acme"), context)
                .get("org_id")).longValue();

        var priced = handler.handleRequest(Map.of("action", "set-prices", "org_id", org,
                "prices", Map.of("per_run", "0.1", "per_step", Map.of("transform", "0.002"))), context);
        assertThat(priced).doesNotContainKey("error");
        var prices = (Map<String, Object>) priced.get("prices");
        assertThat(new java.math.BigDecimal(prices.get("per_run").toString())).isEqualByComparingTo("0.1");
        assertThat(new java.math.BigDecimal(((Map<String, Object>) prices.get("per_step")).get("transform").toString()))
                .isEqualByComparingTo("0.002");
        assertThat(new java.math.BigDecimal(prices.get("per_outbound_request").toString()))
                .as("the defaults stay under the override").isEqualByComparingTo("0.01");
        var runtime = new CompositionRoot(Settings.fromEnvironment(spec.environment()));
        assertThat(runtime.billing().prices(org).perRun()).isEqualByComparingTo("0.1");

        var quota = handler.handleRequest(Map.of("action", "set-monthly-run-quota", "org_id", org, "runs", 1000), context);
        assertThat(quota).containsEntry("monthly_run_quota", 1000L);
        assertThat(new CompositionRoot(Settings.fromEnvironment(spec.environment())).billing().monthlyRunQuota(org))
                .isEqualTo(1000L);
        assertThat(handler.handleRequest(Map.of("action", "get-billing", "org_id", org), context))
                .containsEntry("monthly_run_quota", 1000L);

        assertThat(handler.handleRequest(Map.of("action", "set-prices", "org_id", org,
                "prices", Map.of("per_run", "-1")), context)).containsKey("error");
        assertThat(handler.handleRequest(Map.of("action", "set-prices", "org_id", org,
                "prices", Map.of("per_lunch", "1")), context)).containsKey("error");
        assertThat(handler.handleRequest(Map.of("action", "get-billing", "org_id", 999_999_999L), context))
                .containsKey("error");
    }
}
