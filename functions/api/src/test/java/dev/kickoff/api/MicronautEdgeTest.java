package dev.kickoff.api;

import dev.kickoff.api.http.ErrorShape;
import dev.kickoff.api.http.ErrorShapes;
import dev.kickoff.api.http.ExecuteLimited;
import dev.kickoff.api.minimal.MinimalErrorShape;
import dev.kickoff.api.v1.V1ErrorShape;
import dev.kickoff.api.workspace.WorkspaceErrorShape;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.emulators.testing.LambdaHttp;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.function.aws.proxy.payload2.APIGatewayV2HTTPEventFunction;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import io.micronaut.web.router.Router;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The edge as Micronaut wires it in a test context ({@code @MicronautTest}), its composition root pointed at the
 * emulators: the error shapes are beans chosen by path, the execute-limit filter matches the four trigger POSTs
 * only, and a request through the function's router binds the caller and the body. The handler tests prove the
 * Lambda path; this proves the wiring without it.
 */
@MicronautTest(environments = "edge-test")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MicronautEdgeTest implements TestPropertyProvider {
    static ApiStack stack;

    @Inject
    ApplicationContext context;
    @Inject
    ErrorShapes shapes;
    @Inject
    Router router;

    @Override
    public Map<String, String> getProperties() {
        stack = ApiStack.start("micronaut-edge");
        return Map.of(ApiHandler.FUNCTION_PROPERTY, "api");
    }

    /** The composition root the handler would register, built from the stack's emulator environment. */
    @Factory
    @Requires(env = "edge-test")
    static class EmulatorRoot {
        @Singleton
        CompositionRoot root() {
            return stack.runtime;
        }
    }

    @Test
    void everyShapeIsABeanAndThePathPicksIt() {
        assertThat(context.getBeansOfType(ErrorShape.class)).hasSize(4);
        assertThat(shapes.forPath("/api/v1/workspaces/x/workflows/y/trigger")).isInstanceOf(WorkspaceErrorShape.class);
        assertThat(shapes.forPath("/api/v1/runs/run_1")).isInstanceOf(V1ErrorShape.class);
        assertThat(shapes.forPath("/workflows/1/run")).isInstanceOf(MinimalErrorShape.class);
        assertThat(shapes.forPath("/api/external/v1/workflows/1/runs").pathPrefix()).isEmpty();
        assertThat(shapes.forPath("/elsewhere").pathPrefix()).isEmpty();
    }

    @Test
    void onlyTheFourTriggerPostsAndTheReplayAreExecuteLimited() {
        Set<String> limited = router.uriRoutes().filter(r -> r.getTargetMethod().hasAnnotation(ExecuteLimited.class))
                .map(r -> r.getHttpMethodName() + " " + r.getUriMatchTemplate())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(limited).containsExactlyInAnyOrder(
                "POST /api/external/v1/workflows/{workflowId}/runs",
                "POST /api/external/v1/workflows/{workflowId}/runs/{runId}/replay",
                "POST /api/v1/workflows/{workflowId}/run",
                "POST /api/v1/workspaces/{workspaceId}/workflows/{workflowId}/trigger",
                "POST /workflows/{workflowId}/run");
    }

    @Test
    void aRequestThroughTheRouterBindsTheCallerAndTheBody() {
        LambdaHttp http = new LambdaHttp(new APIGatewayV2HTTPEventFunction(context), "api.kickoff.test");
        var boot = stack.runtime.organizations().create("edge-" + System.nanoTime());
        String manage = boot.manageToken().secret();
        var created = http.post("/api/manage/v1/tokens", manage, "{\"name\":\"edge\",\"scopes\":[\"runs:read\"]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("token").get("scopes").toString()).isEqualTo("[\"runs:read\"]");
        var refused = http.post("/api/external/v1/workflows/1/runs", created.json().get("secret").asText(), "{}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
        assertThat(refused.json().get("error").asText()).contains("workflows:execute");
        assertThat(refused.header("RateLimit-Limit")).as("refused before it was counted").isNull();
        var tooBig = http.post("/api/manage/v1/workflows", manage, "{\"a\":\"" + "x".repeat(300_000) + "\"}");
        assertThat(tooBig.status()).isEqualTo(413);
    }
}
