package dev.kickoff.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.emulators.CloudFormationTemplate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./kickoff admin} against a local stack started here (on a free port): the payload reaches the admin
 * function's handler class as {@code aws lambda invoke} would deliver it, and every failure is a clear message and
 * a non-zero exit.
 */
class AdminCommandTest {
    @TempDir
    static Path dataDir;
    static KickoffLocal stack;

    record Result(int exit, String out, String err) {
        JsonNode json() {
            return Json.parse(out);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        stack = KickoffLocal.start(new KickoffLocal.Options(0, dataDir, CloudFormationTemplate.locate(), 1));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    static Result admin(Map<String, String> env, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int exit = AdminCommand.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Result admin(String... args) {
        return admin(Map.of("KICKOFF_DATA_DIR", dataDir.toString(), "KICKOFF_PORT", String.valueOf(stack.port())), args);
    }

    @Test
    void createOrgPrintsAnOrganizationWhoseTokensWorkOnTheStacksApi() {
        Result created = admin("{\"action\": \"create-org\", \"name\": \"Second\"}");
        assertThat(created.exit()).as(created.err()).isZero();
        JsonNode org = created.json();
        assertThat(org.fieldNames()).toIterable().containsExactly("org_id", "manage_token", "api_token");
        assertThat(org.get("org_id").asLong()).isNotEqualTo(stack.orgId());
        assertThat(org.get("manage_token").asText()).startsWith("mgt_");
        assertThat(org.get("api_token").asText()).startsWith("api_");

        LocalHttp http = new LocalHttp(stack.baseUrl());
        var workflows = http.send("GET", "/api/manage/v1/workflows", org.get("manage_token").asText(), null);
        assertThat(workflows.status()).as(workflows.body()).isEqualTo(200);
        assertThat(workflows.json().get("workflows")).as("a new organization has none of the local one's").isEmpty();
        // The API token authenticates, and the local organization's sample workflow is not its to run.
        long sample = http.send("GET", "/api/manage/v1/workflows", stack.manageToken(), null).json()
                .get("workflows").get(0).get("id").asLong();
        var foreign = http.send("POST", "/api/external/v1/workflows/" + sample + "/runs", org.get("api_token").asText(),
                "{\"input\": {}}");
        assertThat(foreign.status()).as(foreign.body()).isEqualTo(404);

        Result limit = admin("{\"action\": \"set-execute-rate-limit\", \"org_id\": " + org.get("org_id").asLong()
                + ", \"per_minute\": 1000}");
        assertThat(limit.exit()).as(limit.err()).isZero();
        assertThat(limit.json().get("execute_rate_limit_per_minute").asInt()).isEqualTo(1000);
    }

    @Test
    void anUnknownActionOrAMissingNameIsTheFunctionsErrorAndExitsOne() {
        Result unknown = admin("{\"action\": \"drop-tables\"}");
        assertThat(unknown.exit()).isEqualTo(AdminCommand.ANSWERED_ERROR);
        assertThat(unknown.json().get("error").asText()).contains("unknown action drop-tables").contains("create-org");
        assertThat(unknown.err()).contains("unknown action drop-tables");

        Result nameless = admin("{\"action\": \"create-org\"}");
        assertThat(nameless.exit()).isEqualTo(AdminCommand.ANSWERED_ERROR);
        assertThat(nameless.json().get("error").asText()).contains("\"name\"");
    }

    @Test
    void aPayloadThatIsNotAJsonObjectIsRefusedBeforeAnythingIsSent() {
        for (String bad : new String[]{"create-org", "{\"action\": ", "[\"create-org\"]", "\"x\"",
                "{\"action\": \"create-org\", \"action\": \"x\"}"}) {
            Result r = admin(bad);
            assertThat(r.exit()).as(bad).isEqualTo(AdminCommand.BAD_PAYLOAD);
            assertThat(r.err()).as(bad).startsWith("bad payload").contains("create-org");
            assertThat(r.out()).isEmpty();
        }
        Result none = admin();
        assertThat(none.exit()).isEqualTo(AdminCommand.BAD_PAYLOAD);
        assertThat(none.err()).startsWith("usage: ./kickoff admin");
    }

    @Test
    void withoutARunningStackItSaysSoAndExitsThree(@TempDir Path elsewhere) {
        Result none = admin(Map.of("KICKOFF_DATA_DIR", elsewhere.toString()), "{\"action\": \"create-org\", \"name\": \"x\"}");
        assertThat(none.exit()).isEqualTo(AdminCommand.NO_STACK);
        assertThat(none.err()).contains("no Kickoff stack is running with data dir " + elsewhere.toAbsolutePath());

        int otherPort = stack.port() == 1 ? 2 : stack.port() - 1;
        Result wrongPort = admin(Map.of("KICKOFF_DATA_DIR", dataDir.toString(), "KICKOFF_PORT", String.valueOf(otherPort)),
                "{\"action\": \"create-org\", \"name\": \"x\"}");
        assertThat(wrongPort.exit()).isEqualTo(AdminCommand.NO_STACK);
        assertThat(wrongPort.err()).contains("serves port " + stack.port()).contains("not KICKOFF_PORT=" + otherPort);
    }

    @Test
    void theEndpointIsLoopbackOnlyOwnerOnlyAndAnswersOnlyWithItsSecret() throws Exception {
        Path file = dataDir.resolve(InvokeEndpoint.FILE);
        assertThat(Files.getPosixFilePermissions(file))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        JsonNode endpoint = Json.parse(Files.readAllBytes(file));
        assertThat(endpoint.get("api_port").asInt()).isEqualTo(stack.port());
        assertThat(stack.invocableFunctions()).as("the functions nothing triggers").containsExactly("AdminFunction");
        String url = endpoint.get("functions").get("AdminFunction").asText();
        assertThat(url).startsWith("http://127.0.0.1:").endsWith("/2015-03-31/functions/AdminFunction/invocations");

        try (HttpClient client = HttpClient.newHttpClient()) {
            for (String auth : new String[]{null, "Bearer wrong", "Bearer " + endpoint.get("secret").asText() + "x"}) {
                var request = HttpRequest.newBuilder(URI.create(url))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"action\": \"create-org\", \"name\": \"Sneaky\"}"));
                if (auth != null) {
                    request.header("Authorization", auth);
                }
                var response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(String.valueOf(auth)).isEqualTo(401);
                assertThat(response.body()).doesNotContain("org_id");
            }
            // With the secret, the Invoke API's answer is the handler's, and a payload the handler cannot take is
            // Lambda's function error.
            var array = client.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + endpoint.get("secret").asText())
                    .POST(HttpRequest.BodyPublishers.ofString("[1]")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(array.statusCode()).isEqualTo(200);
            assertThat(array.headers().firstValue("X-Amz-Function-Error")).hasValue("Unhandled");
            assertThat(Json.parse(array.body()).get("errorMessage").asText()).contains("JSON object");
            var malformed = client.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + endpoint.get("secret").asText())
                    .POST(HttpRequest.BodyPublishers.ofString("{")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(malformed.statusCode()).isEqualTo(400);
        }
    }

    @Test
    void theCommandsMainExitsWithItsStatusInAProcessOfItsOwn() throws Exception {
        // What ./kickoff admin runs: a JVM of its own, found the stack through the environment, printed the answer.
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), AdminCommand.class.getName(),
                "{\"action\": \"create-org\", \"name\": \"From a process\"}");
        pb.environment().put("KICKOFF_DATA_DIR", dataDir.toString());
        pb.environment().remove("KICKOFF_PORT");
        pb.redirectErrorStream(false);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(Json.parse(out).fieldNames()).toIterable().containsExactly("org_id", "manage_token", "api_token");

        pb.command().set(pb.command().size() - 1, "{\"action\": \"nope\"}");
        Process failed = pb.start();
        failed.getInputStream().readAllBytes();
        failed.getErrorStream().readAllBytes();
        assertThat(failed.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(failed.exitValue()).isEqualTo(AdminCommand.ANSWERED_ERROR);
    }

    @Test
    void aStoppedStackLeavesNothingToTalkTo(@TempDir Path ownDir) throws Exception {
        Path file = ownDir.resolve(InvokeEndpoint.FILE);
        byte[] left;
        try (KickoffLocal own = KickoffLocal.start(new KickoffLocal.Options(0, ownDir, CloudFormationTemplate.locate(), 1))) {
            Map<String, String> env = Map.of("KICKOFF_DATA_DIR", ownDir.toString());
            assertThat(admin(env, "{\"action\": \"create-org\", \"name\": \"Own\"}").exit()).isZero();
            left = Files.readAllBytes(file);
        }
        assertThat(file).as("removed when the stack stops").doesNotExist();
        Map<String, String> env = Map.of("KICKOFF_DATA_DIR", ownDir.toString());
        Result stopped = admin(env, "{\"action\": \"create-org\", \"name\": \"Late\"}");
        assertThat(stopped.exit()).isEqualTo(AdminCommand.NO_STACK);
        assertThat(stopped.err()).contains("no Kickoff stack is running");

        // A stack killed without its shutdown hook leaves the file behind: the command still knows nothing answers.
        Files.write(file, left);
        Result stale = admin(env, "{\"action\": \"create-org\", \"name\": \"Late\"}");
        assertThat(stale.exit()).isEqualTo(AdminCommand.NO_STACK);
        assertThat(stale.err()).contains("no Kickoff stack is running").contains("did not stop cleanly");
    }
}
