package dev.kickoff.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.json.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * {@code ./kickoff admin '<payload>'}: invokes the admin function of the running local stack with the payload
 * {@code aws lambda invoke} would send on AWS, and prints its answer. It finds the stack the way
 * {@code ./kickoff start} placed it: through {@code KICKOFF_DATA_DIR} (default {@code .kickoff}), where the stack
 * keeps the address and secret of its invoke endpoint, and, when {@code KICKOFF_PORT} is set, checks that this
 * stack is the one serving that port.
 * <p>
 * Exit status: 0 for an answer, 1 for an answer that is an error (an unknown action, a missing name), 2 for a
 * payload that is not a JSON object (nothing is sent), 3 when no stack is running.
 */
public final class AdminCommand {
    static final String FUNCTION = "AdminFunction";
    static final int OK = 0;
    static final int ANSWERED_ERROR = 1;
    static final int BAD_PAYLOAD = 2;
    static final int NO_STACK = 3;

    private static final String EXAMPLE = "{\"action\": \"create-org\", \"name\": \"Second\"}";

    private AdminCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (args.length != 1) {
            err.println("usage: ./kickoff admin '<payload>'   for example: ./kickoff admin '" + EXAMPLE + "'");
            err.println("actions: create-org, create-organization, set-execute-rate-limit (README, \"Administration\")");
            return BAD_PAYLOAD;
        }
        JsonNode payload;
        try {
            payload = Json.parse(args[0]);
        } catch (KickoffException e) {
            err.println("bad payload, not JSON (" + e.getMessage() + "); for example: " + EXAMPLE);
            return BAD_PAYLOAD;
        }
        if (!payload.isObject()) {
            err.println("bad payload: it must be a JSON object, for example: " + EXAMPLE);
            return BAD_PAYLOAD;
        }

        Path dataDir = Path.of(setting(env, "KICKOFF_DATA_DIR", ".kickoff"));
        Path file = dataDir.resolve(InvokeEndpoint.FILE);
        String noStack = "no Kickoff stack is running with data dir " + dataDir.toAbsolutePath()
                + ". Start one with ./kickoff start, and give ./kickoff admin the same KICKOFF_DATA_DIR (and KICKOFF_PORT).";
        JsonNode endpoint;
        try {
            endpoint = Files.isRegularFile(file) ? Json.read(Files.readString(file)) : null;
        } catch (IOException | RuntimeException e) {
            err.println("cannot read " + file + ": " + e.getMessage());
            return NO_STACK;
        }
        if (endpoint == null) {
            err.println(noStack);
            return NO_STACK;
        }
        String port = env.get("KICKOFF_PORT");
        int apiPort = endpoint.path("api_port").asInt();
        if (port != null && !port.isBlank() && !port.strip().equals(String.valueOf(apiPort))) {
            err.println("the stack with data dir " + dataDir.toAbsolutePath() + " serves port " + apiPort
                    + ", not KICKOFF_PORT=" + port.strip() + ": set KICKOFF_DATA_DIR to the data dir of the stack on "
                    + port.strip() + ".");
            return NO_STACK;
        }
        String url = endpoint.path("functions").path(FUNCTION).asText(null);
        if (url == null) {
            err.println("the stack with data dir " + dataDir.toAbsolutePath() + " has no " + FUNCTION);
            return NO_STACK;
        }

        HttpResponse<String> response;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            response = client.send(HttpRequest.newBuilder(URI.create(url))
                            // The admin function's own timeout is 30 s; the stack answers within it.
                            .timeout(Duration.ofSeconds(60))
                            .header("Authorization", "Bearer " + endpoint.path("secret").asText())
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(args[0])).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            err.println(noStack + " (" + file + " is left from a stack that did not stop cleanly.)");
            return NO_STACK;
        } catch (HttpTimeoutException e) {
            err.println("the local stack did not answer within 60 s");
            return NO_STACK;
        } catch (IOException e) {
            err.println("cannot reach the local stack: " + e);
            return NO_STACK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return NO_STACK;
        }

        JsonNode answer;
        try {
            answer = Json.read(response.body());
        } catch (RuntimeException e) {
            err.println("the local stack answered " + response.statusCode() + ": " + response.body());
            return ANSWERED_ERROR;
        }
        if (response.statusCode() != 200) {
            err.println("the local stack refused the invocation (" + response.statusCode() + "): "
                    + answer.path("message").asText(response.body()));
            return response.statusCode() == 400 ? BAD_PAYLOAD : NO_STACK;
        }
        out.println(pretty(answer));
        if (response.headers().firstValue("X-Amz-Function-Error").isPresent()) {
            err.println("the admin function failed: " + answer.path("errorMessage").asText());
            return ANSWERED_ERROR;
        }
        if (answer.has("error")) {
            err.println("error: " + answer.path("error").asText());
            return ANSWERED_ERROR;
        }
        return OK;
    }

    private static String pretty(JsonNode node) {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (IOException e) {
            return node.toString();
        }
    }

    private static String setting(Map<String, String> env, String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
