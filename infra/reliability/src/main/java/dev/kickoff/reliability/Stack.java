package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One local stack as {@code ./kickoff start} runs it: a JVM of its own ({@code dev.kickoff.local.KickoffLocal} on
 * infra/local's classpath) with its data directory and port, its stdout and stderr captured per lifetime (the leak
 * check reads them). It can be SIGKILLed and started again on the same port and data, as an unlucky operator would.
 */
final class Stack {
    private static final Pattern READY = Pattern.compile("Kickoff is ready on http://localhost:(\\d+)");

    final String name;
    private final Path root;
    final Path dataDir;
    private final Path logs;
    private final Map<String, String> environment;
    private final List<Path> logFiles = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private int port;
    private Process process;
    private JsonNode credentials;
    private JsonNode endpoint;
    private final List<Duration> startTimes = new ArrayList<>();

    /**
     * @param port        the API port; 0 takes a free one on the first start, and keeps it for restarts
     * @param environment added to the stack's environment (e.g. a short webhook retry schedule)
     */
    Stack(String name, Path root, Path dataDir, Path logs, int port, Map<String, String> environment) {
        this.name = name;
        this.root = root;
        this.dataDir = dataDir;
        this.logs = logs;
        this.port = port;
        this.environment = Map.copyOf(environment);
    }

    /** Starts the stack and waits (up to {@code deadline}) until it says it is ready; returns how long that took. */
    synchronized Duration start(Duration deadline) throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        Files.createDirectories(logs);
        Path log = logs.resolve(name + "-" + (logFiles.size() + 1) + ".log");
        logFiles.add(log);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        command.add("-Dlog4j2.configurationFile=kickoff-local-log4j2.xml");
        command.add("-cp");
        command.add(classpath(root));
        command.add("dev.kickoff.local.KickoffLocal");
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("KICKOFF_PORT", Integer.toString(port));
        env.put("KICKOFF_DATA_DIR", dataDir.toString());
        env.putIfAbsent("KICKOFF_LOG_LEVEL", "INFO");
        env.putAll(environment);
        long begin = System.nanoTime();
        process = builder.start();
        long limit = begin + deadline.toNanos();
        while (true) {
            String text = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            Matcher m = READY.matcher(text);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
                break;
            }
            if (!process.isAlive()) {
                throw new IOException(name + " exited (" + process.exitValue() + ") before it was ready; see " + log);
            }
            if (System.nanoTime() > limit) {
                kill();
                throw new IOException(name + " was not ready within " + deadline.toSeconds() + " s; see " + log);
            }
            Thread.sleep(100);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - begin);
        startTimes.add(took);
        credentials = Json.read(Files.readString(dataDir.resolve("credentials.json")));
        endpoint = Json.read(Files.readString(dataDir.resolve("invoke-endpoint.json")));
        return took;
    }

    static String classpath(Path root) throws IOException {
        Path file = root.resolve("infra/local/target/classpath.txt");
        if (!Files.exists(file)) {
            throw new IOException("infra/local is not built (no " + file + "): ./kickoff reliability builds it");
        }
        return root.resolve("infra/local/target/classes") + ":" + Files.readString(file).strip();
    }

    static List<String> jvmFlags() {
        String flags = System.getProperty("kickoff.stack.jvm.flags");
        if (flags == null) {
            int major = Runtime.version().feature();
            flags = major >= 24 ? "--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow"
                    : major >= 22 ? "--enable-native-access=ALL-UNNAMED" : "";
        }
        List<String> out = new ArrayList<>();
        for (String f : flags.split("\\s+")) {
            if (!f.isBlank()) {
                out.add(f);
            }
        }
        return out;
    }

    /** SIGKILL: no shutdown hook, no flush, in-memory queues lost — a crash. */
    synchronized void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();  // SIGKILL on Linux and macOS
            process.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM: the stack's shutdown hook stops its pollers and servers (and logs what it did). */
    synchronized void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }

    int port() {
        return port;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    long orgId() {
        return credentials.get("org_id").asLong();
    }

    String manageToken() {
        return credentials.get("manage_token").asText();
    }

    String apiToken() {
        return credentials.get("api_token").asText();
    }

    List<Path> logFiles() {
        return List.copyOf(logFiles);
    }

    List<Duration> startTimes() {
        return List.copyOf(startTimes);
    }

    /** The stack's DynamoDB Local endpoint and table name (from invoke-endpoint.json's {@code services}). */
    String dynamoEndpoint() {
        return endpoint.path("services").path("dynamodb").asText();
    }

    String tableName() {
        return endpoint.path("services").path("tables").path("KickoffTable").asText();
    }

    /** The local invocation secret: never to appear in a log. */
    String invokeSecret() {
        return endpoint.path("secret").asText();
    }

    /** Invokes the admin function as {@code ./kickoff admin} does; returns its answer. */
    JsonNode admin(ObjectNode payload) throws IOException, InterruptedException {
        String url = endpoint.path("functions").path("AdminFunction").asText();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + invokeSecret())
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(payload))).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode answer = Json.read(response.body());
        if (response.statusCode() != 200 || answer.has("error") || answer.has("errorMessage")) {
            throw new IOException("admin " + payload + " answered " + response.statusCode() + " " + response.body());
        }
        return answer;
    }

    /** A new organization with its tokens ({@code create-org}), its execute limit set before its first request. */
    Org createOrg(String orgName, Integer perMinute) throws IOException, InterruptedException {
        ObjectNode create = Json.object();
        create.put("action", "create-org");
        create.put("name", orgName);
        JsonNode org = admin(create);
        long id = org.get("org_id").asLong();
        if (perMinute != null) {
            ObjectNode limit = Json.object();
            limit.put("action", "set-execute-rate-limit");
            limit.put("org_id", id);
            limit.put("per_minute", perMinute);
            admin(limit);
        }
        return new Org(id, org.get("manage_token").asText(), org.get("api_token").asText());
    }

    /** An organization the suite made, with its two first tokens. */
    record Org(long id, String manageToken, String apiToken) {
    }

    Map<String, String> environment() {
        return new HashMap<>(environment);
    }
}
