package dev.kickoff.api;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.auth.TokenSecrets;
import dev.kickoff.runtime.LogContext;
import dev.kickoff.runtime.PowertoolsRunObserver;
import dev.kickoff.runtime.Settings;
import dev.kickoff.runtime.KickoffRuntime;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.LambdaApplicationContextBuilder;
import io.micronaut.function.aws.proxy.payload2.APIGatewayV2HTTPEventFunction;
import org.crac.Core;
import org.crac.Resource;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The API Lambda's entry point ({@code template.yaml}: {@code dev.kickoff.api.ApiHandler::handleRequest}). An API
 * Gateway HTTP API (payload 2.0) event goes to Micronaut's router; each invocation logs as structured JSON with
 * the Lambda context and flushes its metrics.
 */
public class ApiHandler extends APIGatewayV2HTTPEventFunction {
    /** Names the function whose context this is; API-only beans such as {@link NoLambdaContextBeans} require it. */
    static final String FUNCTION_PROPERTY = "kickoff.function";

    /** SnapStart runs this before it snapshots the initialized instance; held here because CRaC holds it weakly. */
    private final Resource priming = new Resource() {
        @Override
        public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
            prime();
        }

        @Override
        public void afterRestore(org.crac.Context<? extends Resource> context) {
        }
    };

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

    @Override
    protected ApplicationContextBuilder newApplicationContextBuilder() {
        return contextBuilder(Map.of());
    }

    /** The composition root is built here, once per instance (during init, so SnapStart captures it). */
    static ApplicationContextBuilder contextBuilder(Map<String, String> environment) {
        return new LambdaApplicationContextBuilder()
                .properties(Map.of(FUNCTION_PROPERTY, "api"))
                .singletons(new KickoffRuntime(Settings.fromEnvironment(environment)));
    }

    /**
     * Warms the trigger path without side effects, so that a SnapStart snapshot holds loaded, initialized and
     * partly compiled code: builds the SQS client, and sends one {@code POST …/runs} with a well-formed token that
     * was never issued through the whole stack (routing, Powertools logging, the token lookup's DynamoDB GetItem,
     * the 401 rendering, the metrics flush). Writes nothing; costs one read unit per snapshot.
     *
     * @return the priming request's status: 401, since the token it presents was never issued
     */
    public int prime() {
        getApplicationContext().getBean(KickoffRuntime.class).sqs();
        String body = "{\"input\":{\"priming\":true}}";
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setVersion("2.0");
        event.setRouteKey("ANY /{proxy+}");
        event.setRawPath("/api/external/v1/workflows/1/runs");
        event.setRawQueryString("");
        event.setHeaders(Map.of("host", "prime.invalid", "content-type", "application/json",
                "authorization", "Bearer " + TokenSecrets.newSecret(Scope.API),
                "content-length", Integer.toString(body.getBytes(StandardCharsets.UTF_8).length)));
        event.setBody(body);
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod("POST");
        http.setPath(event.getRawPath());
        http.setProtocol("HTTP/1.1");
        http.setSourceIp("127.0.0.1");
        APIGatewayV2HTTPEvent.RequestContext request = new APIGatewayV2HTTPEvent.RequestContext();
        request.setHttp(http);
        request.setRequestId("snapstart-priming");
        request.setStage("$default");
        request.setDomainName("prime.invalid");
        request.setTimeEpoch(System.currentTimeMillis());
        event.setRequestContext(request);
        return handleRequest(event, new PrimingContext()).getStatusCode();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        try {
            return PowertoolsLogging.withLogging(context, () -> super.handleRequest(event, context));
        } finally {
            LogContext.clear();
            PowertoolsRunObserver.flush();
        }
    }

    /** The Lambda context of the priming request. */
    private static final class PrimingContext implements Context {
        @Override
        public String getAwsRequestId() {
            return "snapstart-priming";
        }

        @Override
        public String getLogGroupName() {
            return "";
        }

        @Override
        public String getLogStreamName() {
            return "";
        }

        @Override
        public String getFunctionName() {
            return System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "ApiFunction");
        }

        @Override
        public String getFunctionVersion() {
            return System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        }

        @Override
        public String getInvokedFunctionArn() {
            return "";
        }

        @Override
        public CognitoIdentity getIdentity() {
            return null;
        }

        @Override
        public ClientContext getClientContext() {
            return null;
        }

        @Override
        public int getRemainingTimeInMillis() {
            return 10_000;
        }

        @Override
        public int getMemoryLimitInMB() {
            return 1024;
        }

        @Override
        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override
                public void log(String message) {
                }

                @Override
                public void log(byte[] message) {
                }
            };
        }
    }
}
