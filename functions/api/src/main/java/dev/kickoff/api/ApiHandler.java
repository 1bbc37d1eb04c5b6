package dev.kickoff.api;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.kickoff.bootstrap.LogContext;
import dev.kickoff.bootstrap.PowertoolsRunObserver;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.MicronautFunction;
import dev.kickoff.api.http.ErrorShapes;
import dev.kickoff.api.http.HeaderCheck;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.LambdaApplicationContextBuilder;
import io.micronaut.function.aws.proxy.payload2.APIGatewayV2HTTPEventFunction;
import org.crac.Core;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

import java.util.Map;

/**
 * The API Lambda's entry point ({@code template.yaml}: {@code dev.kickoff.api.ApiHandler::handleRequest}). An API
 * Gateway HTTP API (payload 2.0) event goes to Micronaut's router; each invocation logs as structured JSON with
 * the Lambda context and flushes its metrics.
 */
public class ApiHandler extends APIGatewayV2HTTPEventFunction {
    /** Names the function whose context this is; API-only beans such as {@link NoLambdaContextBeans} require it. */
    static final String FUNCTION_PROPERTY = "kickoff.function";

    /** Registered with CRaC, which holds resources weakly: this field keeps it alive. */
    private final SnapStartPriming priming = new SnapStartPriming(this);

    /** Used by Lambda: configuration comes from the function's environment variables. */
    public ApiHandler() {
        super();
        Core.getGlobalContext().register(priming);
    }

    /**
     * Used by the local stack and the tests: the function's template environment, resolved against the
     * emulators, layered over the process environment.
     */
    public ApiHandler(Map<String, String> environment) {
        super(contextBuilder(environment).build());
    }

    /** Used by tests that need their own composition root (e.g. a clock set to the start of a rate-limit window). */
    public ApiHandler(CompositionRoot runtime) {
        super(new LambdaApplicationContextBuilder().singletons(runtime).build());
    }

    /**
     * A 400 in the caller's shape for a header Micronaut cannot hold (see {@link HeaderCheck}), answered here
     * because the router cannot even read such a request's headers.
     */
    private APIGatewayV2HTTPResponse invalidHeader(APIGatewayV2HTTPEvent event, String header) {
        String path = event.getRawPath() == null ? "/" : event.getRawPath();
        var rendered = getApplicationContext().getBean(ErrorShapes.class).render(path, new KickoffException(
                Reason.INVALID_REQUEST, "the " + header.replaceAll("[^A-Za-z0-9!#$%&'*+.^_`|~-]", "?")
                + " header contains a control character"));
        APIGatewayV2HTTPResponse response = new APIGatewayV2HTTPResponse();
        response.setStatusCode(rendered.code());
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        rendered.getHeaders().forEach((name, values) -> headers.put(name, String.join(",", values)));
        response.setHeaders(headers);
        response.setBody(rendered.body());
        response.setIsBase64Encoded(false);
        return response;
    }

    @Override
    protected ApplicationContextBuilder newApplicationContextBuilder() {
        return contextBuilder(Map.of());
    }

    /**
     * The composition root is built here, once per instance (during init, so SnapStart captures it). What the API
     * function's context leaves out of a cold start (docs/benchmarks-method.md, section 1, measured in one run against
     * the same jar without them):
     * <ul>
     *   <li>Jackson's module scan: it registers every {@code Module} on the classpath, which loads Joda-Time (the
     *       Lambda events library's dependency, ~240 classes) for no field of ours; the two modules the API's JSON
     *       may meet ({@code Optional}s, {@code java.time}) are registered by name instead ({@link ApiBeans});</li>
     *   <li>the bootstrap context check and environment deduction: the first looks for {@code bootstrap.*} files on
     *       the whole classpath (there are none), the second inspects the stack and the process for test frameworks
     *       and clouds; the Lambda builder names the environments ({@code function}, {@code lambda}) itself.</li>
     * </ul>
     * Kept: Micronaut's Lambda builder creates every singleton at start-up. Lazy singletons loaded fewer classes but
     * measured no less CPU to the first answer, and under SnapStart eager creation happens before the snapshot, where
     * no caller waits for it.
     */
    static ApplicationContextBuilder contextBuilder(Map<String, String> environment) {
        return MicronautFunction.contextBuilder(environment)
                .properties(Map.of(FUNCTION_PROPERTY, "api", "jackson.module-scan", false))
                .bootstrapEnvironment(false)
                .deduceEnvironment(false);
    }

    /**
     * Warms the trigger path without side effects (see {@link SnapStartPriming}); SnapStart calls it before it
     * takes its snapshot.
     *
     * @return the priming request's status: 401, since the token it presents was never issued
     */
    public int prime() {
        return priming.prime();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        try {
            return PowertoolsLogging.withLogging(context, () -> {
                String invalid = HeaderCheck.firstInvalid(event.getHeaders());
                return invalid == null ? super.handleRequest(event, context) : invalidHeader(event, invalid);
            });
        } finally {
            LogContext.clear();
            PowertoolsRunObserver.flush();
        }
    }
}
