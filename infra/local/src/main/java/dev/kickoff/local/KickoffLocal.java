package dev.kickoff.local;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.kickoff.core.json.Json;
import dev.kickoff.emulators.AwsEndpoints;
import dev.kickoff.emulators.CloudFormationTemplate;
import dev.kickoff.emulators.DeliveryChaos;
import dev.kickoff.emulators.DynamoDbStreamEventSource;
import dev.kickoff.emulators.EventSource;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.LambdaHandlers;
import dev.kickoff.emulators.LocalDynamoDb;
import dev.kickoff.emulators.LocalSqs;
import dev.kickoff.emulators.Provisioner;
import dev.kickoff.emulators.ScheduleEventSource;
import dev.kickoff.emulators.SqsEventSource;
import dev.kickoff.emulators.StackResources;
import dev.kickoff.adapters.outbound.KeyFileSecretBox;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.adapters.aws.SqsRunQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Kickoff on one machine. Starts DynamoDB Local and ElasticMQ on loopback, creates the resources template.yaml
 * declares, constructs every function's handler class with its template environment, wires each to its event
 * sources (HTTP API, SQS, DynamoDB streams, EventBridge schedules) the way AWS would, and serves the API on
 * http://localhost:8080 ({@code KICKOFF_PORT}).
 * Data persists under {@code ./.kickoff} ({@code KICKOFF_DATA_DIR}).
 */
public final class KickoffLocal implements AutoCloseable {
    public static final String STACK_NAME = "kickoff-local";
    /** The local master key of connection secrets, under the data directory. */
    public static final String SECRETS_KEY_FILE = "secrets.key";
    /** With delivery chaos on: its counts, kept current under the data directory (the reliability suite reads them). */
    public static final String DELIVERY_CHAOS_FILE = "delivery-chaos.txt";

    /**
     * @param sqsConcurrency    pollers per SQS event source, as Lambda scales its own
     * @param deliveryChaosSeed when set, every SQS message and stream record reaches its handler twice, shuffled
     *                          ({@link DeliveryChaos}; {@code KICKOFF_LOCAL_DELIVERY_CHAOS}, for the reliability suite)
     */
    public record Options(int port, Path dataDir, Path template, int sqsConcurrency, Long deliveryChaosSeed) {
        public Options(int port, Path dataDir, Path template, int sqsConcurrency) {
            this(port, dataDir, template, sqsConcurrency, null);
        }

        static Options fromEnvironment() {
            String chaos = env("KICKOFF_LOCAL_DELIVERY_CHAOS", "");
            return new Options(Integer.parseInt(env("KICKOFF_PORT", "8080")), Path.of(env("KICKOFF_DATA_DIR", ".kickoff")),
                    CloudFormationTemplate.locate(), Integer.parseInt(env("KICKOFF_SQS_POLLERS", "2")),
                    chaos.isEmpty() ? null : Long.parseLong(chaos));
        }

        private static String env(String name, String fallback) {
            String v = System.getenv(name);
            return v == null || v.isBlank() ? fallback : v;
        }
    }

    static {
        // Readable console lines locally (on Lambda the same code logs JSON); set before any logger exists.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "kickoff-local-log4j2.xml");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(KickoffLocal.class);

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<String> wired = new ArrayList<>();
    private final Map<String, ScheduleEventSource> schedules = new java.util.LinkedHashMap<>();
    private final int port;
    private final LocalCredentials credentials;
    private final StackResources resources;
    private final boolean firstStart;
    private final Long sampleWorkflowId;
    private final InvokeEndpoint invokeEndpoint;

    private KickoffLocal(Options options) throws IOException {
        // A start that fails half way (a port in use, a broken template) closes what it opened: the emulators'
        // threads would otherwise keep a process alive that serves nothing.
        try {
            refuseAPortInUse(options.port());
            Files.createDirectories(options.dataDir());
            LocalDynamoDb dynamo = LocalDynamoDb.start(options.dataDir().resolve("dynamodb"), 0);
            closeables.add(dynamo);
            LocalSqs sqs = LocalSqs.start(0);
            closeables.add(sqs);
            AwsEndpoints endpoints = AwsEndpoints.local(dynamo.endpoint(), sqs.endpoint());
            endpoints.install();

            resources = new Provisioner(endpoints.dynamoDbClient(), endpoints.sqsClient())
                    .provision(CloudFormationTemplate.load(options.template()), STACK_NAME, endpoints.region());

            // Connection secrets: a master key in a file of the data directory (0600), made on first start, in place of
            // the KMS key the template gives the functions on AWS.
            Path secretsKey = options.dataDir().resolve(SECRETS_KEY_FILE).toAbsolutePath();
            if (KeyFileSecretBox.createIfAbsent(secretsKey)) {
                LOG.info("created the connection secrets key {} (mode 0600): keep it with the data directory", secretsKey);
            }
            Map<String, String> localEnvironment = Map.of(
                    "KICKOFF_LOCAL", "true",
                    "KICKOFF_METRICS", "off",
                    "KICKOFF_SECRETS_KEY_FILE", secretsKey.toString(),
                    "KICKOFF_SECRETS_KMS_KEY_ID", "");
            // The reliability suite's switch: every SQS message and stream record delivered twice, out of order.
            DeliveryChaos chaos = options.deliveryChaosSeed() == null ? null : new DeliveryChaos(options.deliveryChaosSeed(),
                    options.dataDir().resolve(DELIVERY_CHAOS_FILE));
            if (chaos != null) {
                closeables.add(chaos);
                LOG.warn("delivery chaos is on (seed {}): every SQS message and stream record is delivered twice, shuffled",
                        options.deliveryChaosSeed());
            }
            List<FunctionSpec> functions = FunctionSpec.all(resources);
            List<FunctionSpec> streamFunctions = new ArrayList<>();
            FunctionSpec apiSpec = null;
            RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> api = null;
            for (FunctionSpec spec : functions) {
                for (EventSource.Sqs source : spec.events(EventSource.Sqs.class)) {
                    RequestHandler<SQSEvent, Object> handler = LambdaHandlers.instantiate(spec, localEnvironment);
                    if (chaos != null) {
                        handler = chaos.sqs(handler);
                    }
                    closeables.add(new SqsEventSource(endpoints.sqsClient(), resources, spec, source, handler)
                            .start(pollers(source, options.sqsConcurrency())));
                    wired.add(spec.logicalId() + "/" + source.name() + " (SQS " + source.queue() + ")");
                }
                for (EventSource.HttpApi source : spec.events(EventSource.HttpApi.class)) {
                    if (api != null) {
                        throw new IllegalStateException("the local gateway serves one API function; "
                                + apiSpec.logicalId() + " and " + spec.logicalId() + " both have HttpApi events");
                    }
                    apiSpec = spec;
                    api = LambdaHandlers.instantiate(spec, localEnvironment);
                    wired.add(spec.logicalId() + "/" + source.name() + " (HttpApi)");
                }
                if (!spec.events(EventSource.DynamoDbStream.class).isEmpty()) {
                    streamFunctions.add(spec);  // wired once the gateway's URL is known (it goes into payloads)
                }
                for (EventSource.Schedule source : spec.events(EventSource.Schedule.class)) {
                    RequestHandler<ScheduledEvent, Object> handler = LambdaHandlers.instantiate(spec, localEnvironment);
                    ScheduleEventSource schedule = new ScheduleEventSource(resources, spec, source, handler).start();
                    closeables.add(schedule);
                    schedules.put(spec.logicalId() + "/" + source.name(), schedule);
                    wired.add(spec.logicalId() + "/" + source.name() + " (Schedule " + source.expression()
                            + (schedule.enabled() ? "" : ", disabled") + ")");
                }
                List<String> unsupported = spec.events().stream()
                        .filter(e -> !(e instanceof EventSource.Sqs) && !(e instanceof EventSource.HttpApi)
                                && !(e instanceof EventSource.DynamoDbStream) && !(e instanceof EventSource.Schedule))
                        .map(EventSource::name).toList();
                if (!unsupported.isEmpty()) {
                    throw new IllegalStateException(spec.logicalId() + " has event sources the local stack does not run: "
                            + unsupported);
                }
            }
            if (api == null) {
                throw new IllegalStateException("template.yaml declares no function with an HttpApi event");
            }

            Map<String, String> environment = new HashMap<>(apiSpec.environment());
            environment.putAll(localEnvironment);
            CompositionRoot runtime = CompositionRoot.fromEnvironment(environment);
            LocalCredentials existing = LocalCredentials.load(options.dataDir(), runtime);
            firstStart = existing == null;
            credentials = firstStart ? LocalCredentials.create(options.dataDir(), runtime) : existing;
            sampleWorkflowId = firstStart ? SampleWorkflow.create(runtime, credentials.orgId()) : null;
            requeueUnfinishedRuns(runtime, endpoints);
            requeuePendingDeliveries(runtime);

            HttpGateway gateway = new HttpGateway(options.port(), apiSpec, api);
            closeables.add(gateway);
            port = gateway.port();

            // Functions nothing triggers (the admin function) are invoked by hand: `./kickoff admin`, as with
            // `aws lambda invoke` on AWS.
            Map<String, InvokeEndpoint.Function> byHand = new java.util.LinkedHashMap<>();
            for (FunctionSpec spec : functions) {
                if (spec.events().isEmpty()) {
                    byHand.put(spec.logicalId(), new InvokeEndpoint.Function(spec,
                            LambdaHandlers.instantiate(spec, localEnvironment)));
                }
            }
            Map<String, Object> services = new java.util.LinkedHashMap<>();
            services.put("region", endpoints.region());
            services.put("dynamodb", endpoints.dynamoDb().toString());
            services.put("sqs", endpoints.sqs().toString());
            Map<String, String> tables = new java.util.TreeMap<>();
            resources.tables().forEach((id, table) -> tables.put(id, table.name()));
            services.put("tables", tables);
            Map<String, String> queues = new java.util.TreeMap<>();
            resources.queues().forEach((id, queue) -> queues.put(id, queue.url()));
            services.put("queues", queues);
            invokeEndpoint = new InvokeEndpoint(byHand, options.dataDir(), port, services);
            closeables.add(invokeEndpoint);

            // Stream functions render public URLs (webhook payloads): the local API's, now that its port is known.
            Map<String, String> streamEnvironment = new HashMap<>(localEnvironment);
            streamEnvironment.put("KICKOFF_PUBLIC_URL", baseUrl());
            for (FunctionSpec spec : streamFunctions) {
                for (EventSource.DynamoDbStream source : spec.events(EventSource.DynamoDbStream.class)) {
                    RequestHandler<DynamodbEvent, Object> handler = LambdaHandlers.instantiate(spec, streamEnvironment);
                    if (chaos != null) {
                        handler = chaos.stream(handler);
                    }
                    closeables.add(new DynamoDbStreamEventSource(endpoints.streamsClient(), resources, spec, source, handler)
                            .start());
                    wired.add(spec.logicalId() + "/" + source.name() + " (DynamoDB stream " + source.table() + ")");
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    public static KickoffLocal start(Options options) throws IOException {
        return new KickoffLocal(options);
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    public long orgId() {
        return credentials.orgId();
    }

    public String manageToken() {
        return credentials.manageToken();
    }

    public String apiToken() {
        return credentials.apiToken();
    }

    /** Every event source now feeding a handler, as {@code Function/Event (kind)}. */
    public List<String> wiredEventSources() {
        return List.copyOf(wired);
    }

    /** The functions invoked by hand ({@code ./kickoff admin}), by logical ID. */
    public java.util.Set<String> invocableFunctions() {
        return invokeEndpoint.functions();
    }

    public StackResources resources() {
        return resources;
    }

    /** The schedule event sources by {@code Function/Event}, e.g. to fire one now. */
    public Map<String, ScheduleEventSource> schedules() {
        return Map.copyOf(schedules);
    }

    /**
     * Runs that were pending or in progress when the stack last stopped lost their queue messages (ElasticMQ
     * keeps messages in memory); queue them again. The claim protocol makes a second message harmless.
     * The sweeper would find only the listed ones (plain runs are not listed until a redelivery), and only after
     * its grace: this gets them all going as soon as the stack is up. A scan is fine for a local data set, and it
     * also finds runs stored before the active-runs index existed.
     */
    private static void requeueUnfinishedRuns(CompositionRoot runtime, AwsEndpoints endpoints) {
        SqsRunQueue queue = new SqsRunQueue(runtime.sqs(), runtime.settings().runsQueueUrl());
        Map<String, AttributeValue> start = null;
        int requeued = 0;
        do {
            // Suspended runs waiting on a held-back message lost it too (those in the wake-up index are the sweeper's).
            var page = runtime.dynamo().scan(ScanRequest.builder().tableName(runtime.settings().table())
                    .filterExpression("#type = :run AND (#status = :pending OR #status = :running"
                            + " OR (#status = :suspended AND attribute_exists(wake_at) AND attribute_not_exists(wake_pk)))")
                    .expressionAttributeNames(Map.of("#type", "type", "#status", "status"))
                    .expressionAttributeValues(Map.of(":run", AttributeValue.fromS("run"),
                            ":pending", AttributeValue.fromS("pending"), ":running", AttributeValue.fromS("in_progress"),
                            ":suspended", AttributeValue.fromS("suspended")))
                    .exclusiveStartKey(start).build());
            for (var item : page.items()) {
                long wake = item.containsKey("wake_at") ? Long.parseLong(item.get("wake_at").n()) : 0;
                long delayMillis = Math.max(0, wake - System.currentTimeMillis());
                queue.enqueue(Long.parseLong(item.get("org_id").n()), Long.parseLong(item.get("run_id").n()),
                        java.time.Duration.ofMillis(Math.min(delayMillis, 900_000)));
                requeued++;
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        if (requeued > 0) {
            LOG.info("queued {} run(s) left unfinished by the last stop", requeued);
        }
    }

    /**
     * Webhook deliveries waiting for a retry lost their queue messages too; ask for each one's next attempt
     * again (an attempt that is not due yet is simply re-delayed; a duplicate is dropped by the delivery's claim).
     */
    private static void requeuePendingDeliveries(CompositionRoot runtime) {
        var queue = runtime.deliveryQueue();
        Map<String, AttributeValue> start = null;
        int requeued = 0;
        do {
            var page = runtime.dynamo().scan(ScanRequest.builder().tableName(runtime.settings().table())
                    .filterExpression("#type = :delivery AND #status = :pending")
                    .expressionAttributeNames(Map.of("#type", "type", "#status", "status"))
                    .expressionAttributeValues(Map.of(":delivery", AttributeValue.fromS("webhook_delivery"),
                            ":pending", AttributeValue.fromS("pending")))
                    .exclusiveStartKey(start).build());
            for (var item : page.items()) {
                int attempts = Integer.parseInt(item.get("attempts").n());
                int next = item.containsKey("lease_until") ? Math.max(1, attempts) : attempts + 1;
                queue.enqueue(item.get("delivery_id").s(), next, java.time.Duration.ZERO);
                requeued++;
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        if (requeued > 0) {
            LOG.info("queued {} webhook delivery(ies) left pending by the last stop", requeued);
        }
    }

    void printBanner(PrintStream out, Path dataDir) {
        out.println();
        if (firstStart) {
            out.println("Created a local organization (" + credentials.orgId() + "). Its tokens are shown once here and kept in "
                    + dataDir.resolve(LocalCredentials.FILE) + " (mode 0600):");
            out.println("  manage token: " + credentials.manageToken());
            out.println("  api token:    " + credentials.apiToken());
            out.println();
            out.println("A sample workflow (" + sampleWorkflowId + ", \"Process Customer Order\") is published. Start a run:");
            out.println("  curl -X POST " + baseUrl() + "/api/external/v1/workflows/" + sampleWorkflowId + "/runs \\");
            out.println("    -H \"Authorization: Bearer " + credentials.apiToken() + "\" \\");
            out.println("    -H \"Content-Type: application/json\" \\");
            out.println("    -d '" + Json.write(SampleWorkflow.SAMPLE_INPUT) + "'");
            out.println("or in seed 003's shape (see README for seeds 002 and 004):");
            out.println("  curl -X POST " + baseUrl() + "/api/v1/workflows/wf_" + sampleWorkflowId + "/run \\");
            out.println("    -H \"x-api-key: " + credentials.apiToken() + "\" -H \"Content-Type: application/json\" \\");
            out.println("    -d '" + Json.write(SampleWorkflow.SAMPLE_INPUT) + "'");
        } else {
            out.println("Local organization " + credentials.orgId() + "; tokens in " + dataDir.resolve(LocalCredentials.FILE));
        }
        out.println();
        out.println("Dashboard: " + baseUrl() + "/app/ (sign in with the manage token)");
        out.println("Administration (the admin function): ./kickoff admin '{\"action\": \"create-org\", \"name\": \"Second\"}'");
        out.println("Kickoff is ready on " + baseUrl() + " (data in " + dataDir.toAbsolutePath() + "; Ctrl+C stops it)");
        out.flush();
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                LOG.debug("while stopping: {}", e.toString());
            }
        }
    }

    /** Most pollers a queue gets locally, whatever its {@code ScalingConfig.MaximumConcurrency}. */
    static final int MAX_LOCAL_POLLERS = 8;

    /**
     * Pollers for an SQS event source: {@code KICKOFF_SQS_POLLERS}, or more (up to {@link #MAX_LOCAL_POLLERS}) where the
     * template lets Lambda scale the source out ({@code ScalingConfig.MaximumConcurrency}, the webhook deliveries). A
     * poller takes its next batch only when the last one ended: with 2, a hanging endpoint's 10 s attempts held up
     * every healthy endpoint's deliveries for minutes (the reliability suite's webhook phase, seed 828337), where Lambda
     * would have run more batches at once.
     */
    static int pollers(EventSource.Sqs source, int configured) {
        return source.maximumConcurrency() > 0
                ? Math.max(configured, Math.min(source.maximumConcurrency(), MAX_LOCAL_POLLERS)) : configured;
    }

    /**
     * A port in use is said at once, before the emulators and every function start (seconds of work, and the
     * start-up requeue would already have touched the data directory). The gateway's own bind still decides: the
     * port may be taken in between. Port 0 (any free port) needs no check.
     */
    static void refuseAPortInUse(int port) throws IOException {
        if (port != 0) {
            try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                probe.bind(new java.net.InetSocketAddress("127.0.0.1", port));
            }
        }
    }

    /** The gateway wraps Jetty's failure to bind; the cause says whether the port was taken. */
    static boolean portInUse(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                return true;
            }
        }
        return false;
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.fromEnvironment();
        KickoffLocal stack;
        try {
            stack = start(options);
        } catch (IOException | RuntimeException e) {
            if (portInUse(e)) {
                System.err.println("Port " + options.port() + " is in use. Stop whatever holds it or set KICKOFF_PORT.");
                System.exit(2);
            }
            System.err.println("Kickoff did not start: " + e);
            e.printStackTrace();
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            // Log4j's own hook is off (kickoff-local-log4j2.xml): run concurrently with this one, it stopped logging
            // before the stack had said how it stopped (the delivery chaos summary was lost so).
            org.apache.logging.log4j.LogManager.shutdown();
            stopped.countDown();
        }));
        stack.printBanner(System.out, options.dataDir());
        stopped.await();
    }
}
