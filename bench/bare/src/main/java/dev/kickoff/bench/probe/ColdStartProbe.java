package dev.kickoff.bench.probe;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One cold start, in the fresh JVM the benchmark launches per sample: does what Lambda's Java runtime does for a
 * first request — load the handler class named in the template, construct it with its no-argument constructor
 * (configuration from the process environment), and invoke it with an API Gateway payload 2.0 event — then prints
 * one {@code PROBE …} line with its own timings and the process's peak RSS, and exits.
 *
 * <p>Arguments: handler class, workflow ID, API token, number of requests (the first is the cold one; the rest
 * show how quickly the instance warms). Deliberately tiny, so that it adds the same few classes to every subject.
 */
public final class ColdStartProbe {
    private ColdStartProbe() {
    }

    public static void main(String[] args) throws Exception {
        long mainAt = System.nanoTime();
        String handlerClass = args[0];
        String path = "/api/external/v1/workflows/" + args[1] + "/runs";
        String token = args[2];
        int requests = args.length > 3 ? Integer.parseInt(args[3]) : 1;

        @SuppressWarnings("unchecked")
        RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler =
                (RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>) Class.forName(handlerClass)
                        .getConstructor().newInstance();
        long constructedAt = System.nanoTime();
        if (Boolean.getBoolean("probe.prime")) {
            // What SnapStart does before it snapshots: run every registered CRaC resource's hook (the function's
            // and its libraries'; see probe.crac.Core). A restored instance starts from this state. Subjects without
            // org.crac (the bare handler) are primed by their prime() method instead.
            try {
                Class.forName("org.crac.Core").getMethod("checkpointRestore").invoke(null);
            } catch (ClassNotFoundException e) {
                handler.getClass().getMethod("prime").invoke(handler);
            } catch (java.lang.reflect.InvocationTargetException e) {
                // A hook failed. Whether Lambda would still take the snapshot is not ours to guess: report it.
                System.out.println("PROBE-HOOK-FAILED " + e.getCause());
                e.getCause().printStackTrace();
                System.out.flush();
                Runtime.getRuntime().halt(4);
            }
        }
        long initAt = System.nanoTime();

        StringBuilder line = new StringBuilder("PROBE");
        long previous = initAt;
        for (int i = 0; i < requests; i++) {
            APIGatewayV2HTTPResponse response = handler.handleRequest(event(path, token), new ProbeContext());
            long now = System.nanoTime();
            if (response.getStatusCode() != 201) {
                System.out.println("PROBE-FAILED status=" + response.getStatusCode() + " body=" + response.getBody());
                System.out.flush();
                Runtime.getRuntime().halt(3);
            }
            line.append(i == 0 ? " first_ms=" : " req" + (i + 1) + "_ms=").append(millis(now - previous));
            previous = now;
        }
        line.append(" main_to_init_ms=").append(millis(initAt - mainAt));
        line.append(" prime_ms=").append(millis(initAt - constructedAt));
        line.append(' ').append(memory());
        // Read after the answer, so the reading's own classes are not counted in it. CPU time (every thread of the
        // process: JIT, GC, the request) is what Lambda's init and first invocation bill, and varies far less than
        // wall time on a shared machine; the loaded-class count does not vary at all between runs of one jar.
        line.append(" cpu_ms=").append(ProcessHandle.current().info().totalCpuDuration()
                .map(d -> millis(d.toNanos())).orElse("0"));
        line.append(" classes=").append(java.lang.management.ManagementFactory.getClassLoadingMXBean()
                .getTotalLoadedClassCount());
        System.out.println(line);
        System.out.flush();
        System.exit(0);  // not halt: an AppCDS or AOT cache training run writes its archive on exit
    }

    private static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.2f", nanos / 1e6);
    }

    /** Peak and current resident set size, from the kernel (kB). */
    private static String memory() throws IOException {
        String hwm = "0";
        String rss = "0";
        for (String l : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
            if (l.startsWith("VmHWM:")) {
                hwm = l.replaceAll("\\D", "");
            } else if (l.startsWith("VmRSS:")) {
                rss = l.replaceAll("\\D", "");
            }
        }
        return "hwm_kb=" + hwm + " rss_kb=" + rss;
    }

    static APIGatewayV2HTTPEvent event(String path, String token) {
        String body = "{\"input\":{\"customerId\":\"cus_123\",\"items\":[{\"product\":\"Widget\",\"quantity\":2,"
                + "\"price\":1999}]}}";
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", "api.kickoff.bench");
        headers.put("authorization", "Bearer " + token);
        headers.put("content-type", "application/json");
        headers.put("content-length", Integer.toString(body.length()));
        headers.put("x-forwarded-proto", "https");
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setVersion("2.0");
        event.setRouteKey("ANY /{proxy+}");
        event.setRawPath(path);
        event.setRawQueryString("");
        event.setHeaders(headers);
        event.setPathParameters(Map.of("proxy", path.substring(1)));
        event.setBody(body);
        event.setIsBase64Encoded(false);
        APIGatewayV2HTTPEvent.RequestContext context = new APIGatewayV2HTTPEvent.RequestContext();
        context.setAccountId("000000000000");
        context.setApiId("bench");
        context.setDomainName("api.kickoff.bench");
        context.setDomainPrefix("api");
        context.setRequestId(UUID.randomUUID().toString());
        context.setRouteKey("ANY /{proxy+}");
        context.setStage("$default");
        context.setTimeEpoch(System.currentTimeMillis());
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod("POST");
        http.setPath(path);
        http.setProtocol("HTTP/1.1");
        http.setSourceIp("203.0.113.7");
        http.setUserAgent("kickoff-bench");
        context.setHttp(http);
        event.setRequestContext(context);
        return event;
    }

    /** The Lambda context of one invocation (1024 MB, 10 s, as the template declares for the API function). */
    static final class ProbeContext implements Context {
        private final String requestId = UUID.randomUUID().toString();
        private final long deadline = System.currentTimeMillis() + 10_000;

        @Override
        public String getAwsRequestId() {
            return requestId;
        }

        @Override
        public String getLogGroupName() {
            return "/aws/lambda/ApiFunction";
        }

        @Override
        public String getLogStreamName() {
            return "bench";
        }

        @Override
        public String getFunctionName() {
            return "ApiFunction";
        }

        @Override
        public String getFunctionVersion() {
            return "$LATEST";
        }

        @Override
        public String getInvokedFunctionArn() {
            return "arn:aws:lambda:us-east-1:000000000000:function:ApiFunction";
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
            return (int) Math.max(0, deadline - System.currentTimeMillis());
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
                    System.out.print(message);
                }

                @Override
                public void log(byte[] message) {
                    System.out.print(new String(message, StandardCharsets.UTF_8));
                }
            };
        }
    }
}
