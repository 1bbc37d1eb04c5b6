package dev.kickoff.api;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.auth.TokenSecrets;
import dev.kickoff.bootstrap.CompositionRoot;
import org.crac.Resource;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * SnapStart's before-snapshot hook for the API function. Lambda initializes a published version once, runs this,
 * snapshots, and every cold start afterwards restores that snapshot: so whatever this warms — classes loaded and
 * initialized, code compiled, clients built — a restored instance does not pay for on its first request (about
 * half of it, measured: docs/benchmarks.md). It builds the SQS client and sends one {@code POST …/runs} with a
 * well-formed token that was never issued through the whole handler: routing, Powertools logging, the token
 * lookup's DynamoDB GetItem, the 401 rendering and the metrics flush. It writes nothing and costs one read unit
 * per snapshot.
 */
final class SnapStartPriming implements Resource {
    private final ApiHandler handler;

    SnapStartPriming(ApiHandler handler) {
        this.handler = handler;
    }

    @Override
    public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(org.crac.Context<? extends Resource> context) {
        // Nothing to refresh: the SDK reopens connections; a primed lookup cached nothing.
    }

    /** @return the priming request's status (401) */
    int prime() {
        handler.getApplicationContext().getBean(CompositionRoot.class).sqs();
        return handler.handleRequest(event(), new PrimingContext()).getStatusCode();
    }

    private static APIGatewayV2HTTPEvent event() {
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
        return event;
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
