package dev.kickoff.worker;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.kickoff.adapters.outbound.KeyFileSecretBox;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunRequest;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.StepRecord;
import dev.kickoff.emulators.EventSource;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.LocalLambdaContext;
import dev.kickoff.emulators.SqsEventSource;
import dev.kickoff.emulators.StackResources;
import dev.kickoff.emulators.testing.FakeStripe;
import dev.kickoff.emulators.testing.TestAws;
import dev.kickoff.emulators.testing.TestSmtp;
import jakarta.mail.internet.MimeMessage;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The steps that act ({@code http}, {@code action}, {@code email}) through the worker handler class, with the
 * function's template environment, on the emulators (DynamoDB Local, ElasticMQ), against a loopback HTTP API, a
 * Stripe-compatible fake and a real SMTP server (GreenMail). Connection secrets are sealed under a key file, as in
 * the local stack; loopback targets are allowed as in local mode, except where a test says otherwise.
 */
class ActingStepsWorkerTest {
    static final String CRM_TOKEN = "crm_live_Wk3r_S3cret_0123";
    static final String STRIPE_KEY = "sk_test_worker_4eC39HqLyjWDarjtT1zdp7dc";
    static final String SMTP_PASSWORD = "smtp-worker-Pa55word";

    static StackResources resources;
    static FunctionSpec worker;
    static Map<String, String> environment;
    static CompositionRoot runtime;
    static Principal principal;
    static TestTarget target;
    static FakeStripe stripe;
    static TestSmtp smtp;
    static String crmConnection;
    static String stripeConnection;
    static Captured logs;

    /** Every log line written while the class runs, at every level Kickoff's loggers write. */
    static final class Captured extends AbstractAppender {
        final List<String> lines = new CopyOnWriteArrayList<>();

        Captured() {
            super("acting-steps-captured", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            lines.add(event.getLoggerName() + " " + event.getMessage().getFormattedMessage()
                    + (event.getThrown() == null ? "" : " " + event.getThrown()) + " " + event.getContextData());
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        resources = TestAws.get().provision("worker-acting");
        worker = FunctionSpec.of("WorkerFunction", resources);
        environment = new HashMap<>(worker.environment());
        Path key = Files.createTempDirectory("kickoff-worker-secrets").resolve("secrets.key");
        KeyFileSecretBox.createIfAbsent(key);
        environment.put("KICKOFF_SECRETS_KEY_FILE", key.toString());
        environment.put("KICKOFF_SECRETS_KMS_KEY_ID", "");
        environment.put("KICKOFF_LOCAL", "true");
        environment.put("KICKOFF_METRICS", "off");
        environment.put("KICKOFF_RUN_LEASE_SECONDS", "1");
        runtime = new CompositionRoot(Settings.fromEnvironment(environment));
        var boot = runtime.organizations().create("acting-steps");
        principal = new Principal(boot.organization().id(), 1, "tests", Scope.API);

        target = new TestTarget();
        stripe = FakeStripe.start(STRIPE_KEY);
        smtp = TestSmtp.startWithUser("shop", SMTP_PASSWORD);
        crmConnection = runtime.connections().create(principal.orgId(), Json.parse("""
                {"provider": "http", "name": "CRM", "config": {"baseUrl": "%s",
                 "headers": {"Authorization": "Bearer {{secrets.token}}"}}, "secrets": {"token": "%s"}}"""
                .formatted(target.url("/crm"), CRM_TOKEN))).id();
        stripeConnection = runtime.connections().create(principal.orgId(), Json.parse("""
                {"provider": "stripe", "name": "Stripe test mode", "config": {"baseUrl": "%s"},
                 "secrets": {"apiKey": "%s"}}""".formatted(stripe.baseUrl(), STRIPE_KEY))).id();
        runtime.connections().create(principal.orgId(), Json.parse("""
                {"provider": "smtp", "name": "Shop mail", "config": {"host": "%s", "port": %d,
                 "from": "shop@kickoff.test", "starttls": false},
                 "secrets": {"username": "shop", "password": "%s"}}""".formatted(smtp.host(), smtp.port(), SMTP_PASSWORD)));

        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        logs = new Captured();
        logs.start();
        logging.getConfiguration().getRootLogger().addAppender(logs, Level.ALL, null);
        logging.updateLoggers();
        Configurator.setLevel("dev.kickoff", Level.ALL);
    }

    @AfterAll
    static void tearDown() {
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        logging.getConfiguration().getRootLogger().removeAppender(logs.getName());
        logging.updateLoggers();
        Configurator.setLevel("dev.kickoff", Level.INFO);
        logs.stop();
        // Secrets are never logged, whatever the test did.
        assertThat(logs.lines).isNotEmpty().noneSatisfy(line -> assertThat(line).containsAnyOf(CRM_TOKEN, STRIPE_KEY,
                SMTP_PASSWORD));
        target.close();
        stripe.close();
        smtp.close();
    }

    static RunWorkerHandler newWorker() {
        return new RunWorkerHandler(environment);
    }

    static long publish(String definition) {
        var view = runtime.workflows().create(principal.orgId(), Json.parse(definition));
        runtime.workflows().publish(principal.orgId(), view.workflow().id(), null);
        return view.workflow().id();
    }

    static Run trigger(long workflow, String input) {
        return trigger(workflow, input, null);
    }

    static Run trigger(long workflow, String input, String connectionId) {
        return runtime.runs().start(principal, workflow, new RunRequest(Json.parse(input), connectionId)).run();
    }

    static Run read(long runId) {
        return runtime.runStore().find(runId).orElseThrow();
    }

    /** The run's DynamoDB item as stored, every attribute as text. */
    static String rawItem(long runId) {
        Map<String, AttributeValue> item = runtime.dynamo().getItem(GetItemRequest.builder()
                .tableName(resources.table("KickoffTable").name()).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS("RUN#" + runId), "sk", AttributeValue.fromS("RUN"))).build()).item();
        return item.toString();
    }

    static SQSEvent.SQSMessage message(long runId, int receiveCount) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId("m-" + runId + "-" + receiveCount + "-" + System.nanoTime());
        m.setReceiptHandle("rh-" + m.getMessageId());
        m.setBody("{\"run_id\":" + runId + ",\"org_id\":" + principal.orgId() + "}");
        m.setAttributes(Map.of("ApproximateReceiveCount", Integer.toString(receiveCount)));
        m.setEventSource("aws:sqs");
        return m;
    }

    static List<String> deliver(RunWorkerHandler handler, long runId, int receiveCount) {
        return deliver(handler, runId, receiveCount, new LocalLambdaContext(worker));
    }

    /** One message in one invocation, with the time {@code context} says is left. */
    static List<String> deliver(RunWorkerHandler handler, long runId, int receiveCount, LocalLambdaContext context) {
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(message(runId, receiveCount)));
        SQSBatchResponse response = handler.handleRequest(event, context);
        return response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
    }

    static SqsEventSource queue() {
        return new SqsEventSource(runtime.sqs(), resources, worker, worker.events(EventSource.Sqs.class).getFirst(),
                newWorker());
    }

    /** Polls the real queue until the run has ended (a held-back message comes when its delay is over). */
    static Run untilEnded(SqsEventSource source, long runId) {
        for (int i = 0; i < 30 && !read(runId).status().terminal(); i++) {
            source.pollOnce(1);
        }
        return read(runId);
    }

    @Test
    void anHttpStepThroughAConnectionSendsItsKeyAndCredentialAndRecordsNeither() {
        target.script("/crm/customers", TestTarget.Answer.of(201, "{\"id\": \"c_1\", \"echo\": \"Bearer " + CRM_TOKEN + "\"}")
                .with("X-Request-Id", "req-1"));
        long wf = publish("""
                {"name": "crm", "steps": [{"id": "create", "type": "http", "config": {"method": "POST",
                  "url": "/customers", "query": {"ref": "{{input.ref}}"}, "body": {"email": "{{input.email}}"}}}]}""");
        Run run = trigger(wf, "{\"email\": \"ada@example.com\", \"ref\": \"a b\"}", crmConnection);

        assertThat(deliver(newWorker(), run.id(), 1)).isEmpty();

        TestTarget.Hit hit = target.hits("/crm/customers").getLast();
        assertThat(hit.method()).isEqualTo("POST");
        assertThat(hit.query()).isEqualTo("ref=a+b");
        assertThat(hit.header("Idempotency-Key")).isEqualTo(run.id() + "-create");
        assertThat(hit.header("Authorization")).isEqualTo("Bearer " + CRM_TOKEN);
        assertThat(Json.parse(hit.body()).get("email").asText()).isEqualTo("ada@example.com");

        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        StepRecord step = done.steps().getFirst();
        assertThat(step.output().get("status").asInt()).isEqualTo(201);
        assertThat(step.output().get("headers").get("x-request-id").asText()).isEqualTo("req-1");
        assertThat(step.output().get("body").get("id").asText()).isEqualTo("c_1");
        assertThat(step.output().get("body").get("echo").asText()).as("the target echoed the credential").isEqualTo("***");
        assertThat(step.input().get("headers").get("Authorization").asText()).isEqualTo("***");
        assertThat(step.outboundRequests()).isEqualTo(1);
        String item = rawItem(run.id());
        assertThat(item).doesNotContain(CRM_TOKEN).contains("\"outbound_requests\":1");
    }

    @Test
    void a503ThenA200FromTheRealQueueIsOneRetryWithOneKeyAndTheRunWaitsPendingInBetween() {
        target.script("/flaky", TestTarget.Answer.of(503, "{\"error\": \"try later\"}"));
        long wf = publish("""
                {"name": "flaky", "steps": [{"id": "call", "type": "http", "config": {"url": "%s"}}]}"""
                .formatted(target.url("/flaky")));
        Run run = trigger(wf, "{}");
        SqsEventSource source = queue();

        // One receive, not a drain: on a slow machine a drain lasts past the retry's short delay and would take
        // the held-back message too, so the run would be over before the in-between state could be read.
        assertThat(source.pollOnce(0)).as("the first delivery").isPositive();
        Run waiting = read(run.id());
        assertThat(waiting.status()).as("deferred: no Lambda holds the wait").isEqualTo(RunStatus.PENDING);
        assertThat(waiting.leaseOwner()).isNull();
        assertThat(waiting.steps()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(StepRecord.RETRYING);
            assertThat(r.error()).contains("HTTP 503");
        });

        Run done = untilEnded(source, run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.steps()).singleElement().satisfies(r -> {
            assertThat(r.attempts()).isEqualTo(2);
            assertThat(r.outboundRequests()).isEqualTo(2);
        });
        assertThat(target.hits("/flaky")).extracting(h -> h.header("Idempotency-Key"))
                .containsExactly(run.id() + "-call", run.id() + "-call");
    }

    @Test
    void a429sRetryAfterHoldsTheRunBackAtLeastThatLong() {
        target.script("/limited", TestTarget.Answer.of(429, "{}").with("Retry-After", "2"));
        long wf = publish("""
                {"name": "limited", "steps": [{"id": "call", "type": "http", "config": {"url": "%s"}}]}"""
                .formatted(target.url("/limited")));
        Run run = trigger(wf, "{}");

        assertThat(deliver(newWorker(), run.id(), 1)).as("deferred: its message is deleted, a held-back one sent").isEmpty();
        Instant answered = target.hits("/limited").getFirst().at();
        Run waiting = read(run.id());
        assertThat(waiting.wakeAt()).isAfterOrEqualTo(answered.plusSeconds(2).minusMillis(50));

        Run done = untilEnded(queue(), run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(target.hits("/limited")).hasSize(2);
        assertThat(target.hits("/limited").get(1).at()).isAfterOrEqualTo(waiting.wakeAt());
    }

    @Test
    void continueOnErrorKeepsA404AsTheOutputAndIfSkipsAStep() {
        target.script("/lookup", TestTarget.Answer.of(404, "{\"error\": \"no such customer\"}"));
        long wf = publish("""
                {"name": "lookup", "steps": [
                  {"id": "lookup", "type": "http", "continueOnError": true, "config": {"url": "%s"}},
                  {"id": "create", "type": "http", "if": "{{steps.lookup.output.status | minus: 200}}",
                   "config": {"method": "POST", "url": "%s"}},
                  {"id": "notify", "type": "http", "if": "{{input.notify}}", "config": {"url": "%s"}}]}"""
                .formatted(target.url("/lookup"), target.url("/create"), target.url("/notify")));
        Run run = trigger(wf, "{\"notify\": false}");

        assertThat(deliver(newWorker(), run.id(), 1)).isEmpty();
        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.steps()).extracting(StepRecord::status).containsExactly("completed", "completed", "skipped");
        assertThat(done.steps().getFirst().output().get("body").get("error").asText()).isEqualTo("no such customer");
        assertThat(target.hits("/create")).hasSize(1);
        assertThat(target.hits("/notify")).isEmpty();
        assertThat(target.hits("/lookup")).as("a 404 is not retried").hasSize(1);
    }

    @Test
    void aStripeActionAndAnEmailStepReachTheFakeStripeAndARealSmtpServer() throws Exception {
        long wf = publish("""
                {"name": "signup", "steps": [
                  {"id": "customer", "type": "action", "action": "stripe.createCustomer",
                   "config": {"email": "{{input.email}}", "name": "{{input.name}}", "metadata": {"plan": "pro"}}},
                  {"id": "welcome", "type": "email", "config": {"action": "send", "to": "{{input.email}}",
                   "cc": ["ops@kickoff.test"], "subject": "Welcome, {{input.name}} ({{steps.customer.output.id}})",
                   "body": {"text": "Your customer ID is {{steps.customer.output.id}}.", "html": "<b>Welcome</b>"}}}]}""");
        int before = smtp.received().size();
        Run run = trigger(wf, "{\"email\": \"ada@example.com\", \"name\": \"Ada\"}");

        assertThat(deliver(newWorker(), run.id(), 1)).isEmpty();
        Run done = read(run.id());
        assertThat(done.status()).as(String.valueOf(done.error())).isEqualTo(RunStatus.COMPLETED);
        String customer = done.steps().getFirst().output().get("id").asText();
        assertThat(customer).startsWith("cus_");
        assertThat(stripe.customers()).anySatisfy(c -> {
            assertThat(c.get("id").asText()).isEqualTo(customer);
            assertThat(c.get("metadata").get("plan").asText()).isEqualTo("pro");
        });
        assertThat(stripe.requests()).filteredOn(r -> r.path().equals("/v1/customers"))
                .extracting(FakeStripe.Request::idempotencyKey).contains(run.id() + "-customer");

        List<MimeMessage> mail = smtp.await(before + 1, Duration.ofSeconds(10));
        MimeMessage sent = mail.get(before);
        assertThat(sent.getSubject()).isEqualTo("Welcome, Ada (" + customer + ")");
        assertThat(sent.getMessageID()).startsWith("<" + run.id() + "-welcome.kickoff@");
        JsonAssert.email(done.steps().get(1).output(), sent.getMessageID());
        assertThat(done.steps().get(1).outboundRequests()).isEqualTo(1);
        assertThat(rawItem(run.id())).doesNotContain(STRIPE_KEY, SMTP_PASSWORD);
    }

    /** What an email step answers. */
    static final class JsonAssert {
        static void email(com.fasterxml.jackson.databind.JsonNode output, String messageId) {
            assertThat(output.get("message_id").asText()).isEqualTo(messageId);
            assertThat(output.get("accepted")).extracting(com.fasterxml.jackson.databind.JsonNode::asText)
                    .containsExactly("ada@example.com", "ops@kickoff.test");
        }
    }

    @Test
    void aMissingConnectionFailsTheStepWithAClearMessageAndTheMessageIsNotKept() {
        long wf = publish("""
                {"name": "no smtp", "steps": [{"id": "mail", "type": "email", "config": {"connection": "conn_000000000000000000000000",
                  "to": "a@example.com", "subject": "hello", "body": {"text": "hi"}}}]}""");
        Run run = trigger(wf, "{}");
        assertThat(deliver(newWorker(), run.id(), 1)).as("not stuck: the message is done with").isEmpty();
        Run failed = read(run.id());
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo("connection_unavailable");
        assertThat(failed.error()).isEqualTo("step 'mail' failed: connection conn_000000000000000000000000 (named by"
                + " the step) was not found");

        long other = publish("""
                {"name": "run's connection", "steps": [{"id": "call", "type": "http", "config": {"url": "/x"}}]}""");
        Run named = trigger(other, "{}", "conn_zzzzzzzzzzzzzzzzzzzzzzzz");
        assertThat(deliver(newWorker(), named.id(), 1)).isEmpty();
        assertThat(read(named.id()).error()).contains("the run's connectionId", "was not found");
    }

    @Test
    void outboundTargetsFollowTheSsrfRules() {
        long wf = publish("""
                {"name": "ssrf", "steps": [
                  {"id": "metadata", "type": "http", "continueOnError": true,
                   "config": {"url": "https://169.254.169.254/latest/meta-data/iam/"}},
                  {"id": "private", "type": "http", "continueOnError": true, "config": {"url": "https://10.0.0.8/admin"}},
                  {"id": "ula", "type": "http", "continueOnError": true, "config": {"url": "https://[fd00:ec2::254]/"}}]}""");
        Run run = trigger(wf, "{}");
        assertThat(deliver(newWorker(), run.id(), 1)).isEmpty();
        Run done = read(run.id());
        assertThat(done.steps()).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(StepRecord.FAILED);
            assertThat(r.error()).startsWith("refused");
            assertThat(r.attempts()).as("never retried").isEqualTo(1);
            assertThat(r.outboundRequests()).as("nothing left the worker").isZero();
        });

        // Outside local mode, loopback is refused too.
        Map<String, String> deployed = new HashMap<>(environment);
        deployed.put("KICKOFF_LOCAL", "false");
        long loop = publish("""
                {"name": "loopback", "steps": [{"id": "call", "type": "http", "config": {"url": "%s"}}]}"""
                .formatted(target.url("/loopback")));
        Run refused = trigger(loop, "{}");
        assertThat(deliver(new RunWorkerHandler(deployed), refused.id(), 1)).isEmpty();
        Run failed = read(refused.id());
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo("refused");
        assertThat(target.hits("/loopback")).isEmpty();
    }

    @Test
    void anAnswerOverOneMegabyteFailsTheStepNamingTheLimitAndIsNotRetried() {
        target.script("/export", TestTarget.Answer.of(200, "\"" + "x".repeat(1024 * 1024) + "\""));
        long wf = publish("""
                {"name": "export", "steps": [{"id": "fetch", "type": "http", "config": {"url": "%s"}}]}"""
                .formatted(target.url("/export")));
        Run run = trigger(wf, "{}");

        assertThat(deliver(newWorker(), run.id(), 1)).isEmpty();
        Run failed = read(run.id());
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo("response_too_large");
        assertThat(failed.error()).startsWith("step 'fetch' failed: ").contains("1 MB");
        assertThat(failed.steps()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(StepRecord.FAILED);
            assertThat(r.attempts()).as("a size is not transient: never retried").isEqualTo(1);
        });
        assertThat(target.hits("/export")).hasSize(1);
    }

    @Test
    void aRequestNeverWaitsLongerThanTheInvocationHasLeft() {
        // 4 s left: the worker keeps a quarter back, so the step may wait 3 s at most, not the 10 s it asks for.
        target.script("/slow", TestTarget.Answer.of(200, "{}").after(() -> sleep(Duration.ofSeconds(6))));
        long wf = publish("""
                {"name": "slow", "steps": [{"id": "call", "type": "http", "retry": {"maxAttempts": 1},
                  "config": {"url": "%s", "timeout": 10}}]}""".formatted(target.url("/slow")));
        Run run = trigger(wf, "{}");

        assertThat(deliver(newWorker(), run.id(), 1, new LocalLambdaContext("WorkerFunction", 512, 4))).isEmpty();
        Run failed = read(run.id());
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.errorCode()).isEqualTo("timeout");
        assertThat(failed.steps().getFirst().input().get("timeout_ms").asLong()).isBetween(1L, 3_000L);
        assertThat(target.hits("/slow")).hasSize(1);

        // With under a second left the step sends nothing: the run goes on from a fresh invocation.
        long fast = publish("""
                {"name": "late", "steps": [{"id": "call", "type": "http", "config": {"url": "%s"}}]}"""
                .formatted(target.url("/late")));
        Run late = trigger(fast, "{}");
        assertThat(deliver(newWorker(), late.id(), 1, new LocalLambdaContext("WorkerFunction", 512, 1))).isEmpty();
        Run deferred = read(late.id());
        assertThat(deferred.status().terminal()).isFalse();
        // (deferred with the step "retrying": "… sent from a fresh one"; on a slow machine the claim alone may
        // outlast the 0.75 s, and the run yields before the step: either way nothing is sent)
        assertThat(deferred.steps()).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(StepRecord.RETRYING);
            assertThat(r.error()).contains("fresh");
            assertThat(r.outboundRequests()).isZero();
        });
        assertThat(target.hits("/late")).isEmpty();
        assertThat(untilEnded(queue(), late.id()).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(target.hits("/late")).singleElement()
                .satisfies(h -> assertThat(h.header("Idempotency-Key")).isEqualTo(late.id() + "-call"));
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aWorkerLostBetweenTheRequestAndItsCheckpointIsRepeatedWithTheSameKey() throws Exception {
        // The first request is answered only after the worker's lease (1 s here) has run out and a redelivery has
        // taken the run over: the first worker's checkpoint is then refused, as a dead worker's never comes.
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        target.script("/orders", TestTarget.Answer.of(200, "{\"order\": \"first\"}").after(() -> {
            arrived.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), TestTarget.Answer.of(200, "{\"order\": \"second\"}"));
        long wf = publish("""
                {"name": "orders", "steps": [{"id": "order", "type": "http", "config": {"method": "POST",
                  "url": "%s", "timeout": 20, "body": {"sku": "{{input.sku}}"}}}]}""".formatted(target.url("/orders")));
        Run run = trigger(wf, "{\"sku\": \"w-1\"}");

        CompletableFuture<List<String>> first = CompletableFuture.supplyAsync(() -> deliver(newWorker(), run.id(), 1));
        assertThat(arrived.await(20, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(1_200);  // the first worker's lease runs out while its request is in flight
        assertThat(deliver(newWorker(), run.id(), 2)).as("the redelivery finishes the run").isEmpty();
        release.countDown();
        assertThat(first.get(30, TimeUnit.SECONDS)).as("the late worker finds the run finished: deleted").isEmpty();

        assertThat(target.hits("/orders")).hasSize(2).extracting(h -> h.header("Idempotency-Key"))
                .containsOnly(run.id() + "-order");
        Run done = read(run.id());
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.steps()).singleElement().satisfies(r -> {
            assertThat(r.output().get("body").get("order").asText()).as("the recorded result").isEqualTo("second");
            assertThat(r.outboundRequests()).isEqualTo(1);
        });

        assertThat(deliver(newWorker(), run.id(), 3)).isEmpty();
        assertThat(target.hits("/orders")).as("a recorded step is never sent again").hasSize(2);
    }
}
