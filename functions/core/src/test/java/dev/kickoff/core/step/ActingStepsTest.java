package dev.kickoff.core.step;

import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.connection.ConnectionService;
import dev.kickoff.core.engine.Delivery;
import dev.kickoff.core.engine.Outcome;
import dev.kickoff.core.engine.RunExecutor;
import dev.kickoff.core.engine.StepRegistry;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.MailSender;
import dev.kickoff.core.port.OutboundHttp;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.port.RunQueue;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunRequest;
import dev.kickoff.core.run.RunService;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.StepRecord;
import dev.kickoff.core.testing.InMemoryConnectionStore;
import dev.kickoff.core.testing.InMemoryRunStore;
import dev.kickoff.core.testing.InMemoryWorkflowStore;
import dev.kickoff.core.testing.MutableClock;
import dev.kickoff.core.testing.PlainSecretBox;
import dev.kickoff.core.workflow.StepDefinition;
import dev.kickoff.core.workflow.VersionCache;
import dev.kickoff.core.workflow.WorkflowDefinition;
import dev.kickoff.core.workflow.WorkflowDefinitions;
import dev.kickoff.core.workflow.WorkflowService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The steps that act ({@code http}, {@code action}, {@code email}) on the engine, with the outbound ports faked and
 * the stores in memory: what is sent (one idempotency key per step, on every retry and every repeat), what is
 * recorded (the request as sent, secrets as {@code ***}, how many requests), how failures are classified and
 * retried (the run deferred, never waiting), and what a definition may say. The same steps against the real
 * clients, queue and tables are the worker's tests (RunWorkerHandlerActingStepsTest).
 */
class ActingStepsTest {
    static final Principal ORG = new Principal(7, 70, "ci", Scope.API);
    static final String TOKEN = "crm_live_S3cret_Token";

    record Sent(long runId, Duration delay) {
    }

    MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    CrashingRunStore runs = new CrashingRunStore();
    InMemoryWorkflowStore workflows = new InMemoryWorkflowStore();
    List<Sent> queued = new ArrayList<>();
    RunQueue queue = new RunQueue() {
        @Override
        public void enqueue(long orgId, long runId) {
            queued.add(new Sent(runId, Duration.ZERO));
        }

        @Override
        public void enqueue(long orgId, long runId, Duration delay) {
            queued.add(new Sent(runId, delay));
        }
    };
    /** Every request the steps sent, and the answers scripted for the next ones (then 200 with a small JSON). */
    List<OutboundHttp.Request> requests = new CopyOnWriteArrayList<>();
    ConcurrentLinkedQueue<Function<OutboundHttp.Request, OutboundHttp.Result>> answers = new ConcurrentLinkedQueue<>();
    OutboundHttp http = request -> {
        requests.add(request);
        var scripted = answers.poll();
        return scripted != null ? scripted.apply(request) : json(200, Map.of(), "{\"ok\": true}");
    };
    List<MailSender.Message> mails = new CopyOnWriteArrayList<>();
    MailSender mail = (server, message) -> {
        mails.add(message);
        return new MailSender.Sent(message.messageId(), message.to(), List.of());
    };
    ConnectionService connections = new ConnectionService(new InMemoryConnectionStore(), new PlainSecretBox(), clock, false);
    StepRegistry registry = StepRegistry.standard().with(ActionSteps.over(() -> ActionSteps.runner(http, mail,
            connections, clock)));
    WorkflowService workflowService;
    RunService runService;
    RunExecutor executor;

    /** A store whose next checkpoint kills the worker: the crash between a step's request and its checkpoint. */
    static final class CrashingRunStore extends InMemoryRunStore {
        volatile boolean crashAtNextCheckpoint;

        @Override
        public RunStore.WriteResult checkpoint(Run run) {
            if (crashAtNextCheckpoint) {
                crashAtNextCheckpoint = false;
                throw new WorkerDied();
            }
            return super.checkpoint(run);
        }
    }

    static final class WorkerDied extends Error {
        WorkerDied() {
            super("simulated worker death", null, false, false);
        }
    }

    static OutboundHttp.Response json(int status, Map<String, String> headers, String body) {
        Map<String, List<String>> h = new java.util.LinkedHashMap<>();
        h.put("content-type", List.of("application/json"));
        headers.forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), List.of(v)));
        return new OutboundHttp.Response(status, h, body.getBytes(StandardCharsets.UTF_8), 2);
    }

    @BeforeEach
    void setUp() {
        IdGenerator ids = new IdGenerator(clock);
        workflowService = new WorkflowService(workflows, new WorkflowDefinitions(registry), ids, clock);
        runService = new RunService(workflows, runs, queue, ids, clock, RunObserver.NONE);
        executor = new RunExecutor(runs, null, new VersionCache(workflows, 16), registry, clock,
                Duration.ofSeconds(60), RunObserver.NONE, queue);
    }

    Run start(String definition, String input) {
        return start(definition, input, null);
    }

    Run start(String definition, String input, String connectionId) {
        var view = workflowService.create(ORG.orgId(), Json.parse(definition));
        workflowService.publish(ORG.orgId(), view.workflow().id(), null);
        Run run = runService.start(ORG, view.workflow().id(), new RunRequest(Json.parse(input), connectionId)).run();
        queued.clear();
        return run;
    }

    Run read(Run run) {
        return runs.find(run.id()).orElseThrow();
    }

    Outcome deliver(Run run) {
        return deliver(run, null);
    }

    Outcome deliver(Run run, Instant deadline) {
        return executor.execute(new Delivery(run.id(), "w-" + System.nanoTime(), 2, false, deadline));
    }

    /** Everything a run keeps that a step put there: each record's input, output and error, the run's output and error. */
    static String recorded(Run run) {
        StringBuilder all = new StringBuilder();
        for (StepRecord r : run.steps()) {
            all.append(Json.write(r.input())).append(Json.write(r.output())).append(r.error());
        }
        return all.append(Json.write(run.output())).append(run.failure()).toString();
    }

    static String seed003CompleteExample() throws IOException {
        try (InputStream in = ActingStepsTest.class.getResourceAsStream("/seeds/seed003-complete-example.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void seed003sCompleteExampleSavedVerbatimInvoicesTheTotalAndMailsTheInvoiceNumber() throws IOException {
        connections.create(ORG.orgId(), Json.parse("""
                {"provider": "stripe", "name": "Stripe", "config": {"baseUrl": "https://stripe.example.com"},
                 "secrets": {"apiKey": "sk_test_abcdefghijklmnop"}}"""));
        connections.create(ORG.orgId(), Json.parse("""
                {"provider": "smtp", "name": "Mail", "config": {"host": "smtp.example.com", "port": 587,
                 "from": "shop@example.com"}, "secrets": {"username": "shop", "password": "smtp-Pa55word"}}"""));
        // Stripe: the draft invoice, its item, the finalized invoice (with its number).
        answers.add(r -> json(200, Map.of(), "{\"id\": \"in_1\", \"object\": \"invoice\", \"status\": \"draft\"}"));
        answers.add(r -> json(200, Map.of(), "{\"id\": \"ii_1\", \"object\": \"invoiceitem\"}"));
        answers.add(r -> json(200, Map.of(), "{\"id\": \"in_1\", \"object\": \"invoice\", \"status\": \"open\","
                + " \"number\": \"KICK-0042\", \"amount_due\": 431784}"));

        WorkflowDefinition parsed = new WorkflowDefinitions(registry).parse(Json.parse(seed003CompleteExample()));
        assertThat(parsed.steps()).extracting(StepDefinition::type).containsExactly("transform", "action", "email");
        assertThat(parsed.steps().get(1).action()).isEqualTo("stripe.createInvoice");
        assertThat(parsed.steps().get(1).retry()).as("the default for steps that act").isEqualTo(ActingStep.DEFAULT_RETRY);
        assertThat(parsed.steps().get(0).retry()).isNull();

        Run run = start(seed003CompleteExample(), """
                {"customerId": "cus_123", "customerEmail": "ada@example.com",
                 "items": [{"productId": "widget", "quantity": 2, "price": 1999}]}""");
        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);

        Run done = read(run);
        assertThat(done.status()).as(String.valueOf(done.failure())).isEqualTo(RunStatus.COMPLETED);
        assertThat(requests).extracting(OutboundHttp.Request::url).containsExactly(
                "https://stripe.example.com/v1/invoices", "https://stripe.example.com/v1/invoiceitems",
                "https://stripe.example.com/v1/invoices/in_1/finalize");
        assertThat(new String(requests.get(1).body(), StandardCharsets.UTF_8)).contains("amount=431784");
        assertThat(requests).extracting(r -> r.headers().get("Idempotency-Key")).containsExactly(
                run.id() + "-create-invoice-invoice", run.id() + "-create-invoice-item",
                run.id() + "-create-invoice-finalize");
        assertThat(mails).singleElement().satisfies(m -> {
            assertThat(m.subject()).isEqualTo("Order Confirmed - Invoice #KICK-0042");
            assertThat(m.to()).containsExactly("ada@example.com");
            assertThat(m.html()).isEqualTo("<p>Thank you for your order!</p><p>Total: $4317.84</p>");
            assertThat(m.messageId()).startsWith("<" + run.id() + "-send-confirmation.kickoff@");
        });
        StepRecord invoice = done.steps().get(1);
        assertThat(invoice.outboundRequests()).isEqualTo(3);
        assertThat(invoice.output().get("number").asText()).isEqualTo("KICK-0042");
        assertThat(invoice.input().get("amount_minor").asLong()).as("the recorded input is the request as sent")
                .isEqualTo(431784);
        assertThat(done.steps().get(2).outboundRequests()).isEqualTo(1);
        assertThat(done.steps().get(0).outboundRequests()).isZero();
        assertThat(done.output().get("message_id").asText()).isEqualTo(mails.getFirst().messageId());
        assertThat(recorded(done)).doesNotContain("sk_test_abcdefghijklmnop", "smtp-Pa55word");
    }

    @Test
    void anHttpStepSendsTheStepsKeyRecordsTheRequestWithSecretsMaskedAndCountsIt() {
        connections.create(ORG.orgId(), Json.parse("""
                {"provider": "http", "name": "CRM", "config": {"baseUrl": "https://crm.example.com/api",
                 "headers": {"Authorization": "Bearer {{secrets.token}}"}}, "secrets": {"token": "%s"}}""".formatted(TOKEN)));
        // The target echoes the credential back: it must not reach the run either.
        answers.add(r -> json(201, Map.of("x-request-id", "r1"), "{\"id\": 9, \"seen\": \"Bearer " + TOKEN + "\"}"));
        Run run = start("""
                {"name": "crm", "steps": [{"id": "call", "type": "http", "config": {"method": "POST",
                  "url": "/customers", "query": {"source": "{{input.source}}"}, "headers": {"X-Trace": "t-1"},
                  "body": {"email": "{{input.email}}"}}}]}""", "{\"email\": \"ada@example.com\", \"source\": \"web\"}");

        assertThat(deliver(run, clock.instant().plusSeconds(4))).isInstanceOf(Outcome.Finished.class);

        OutboundHttp.Request sent = requests.getFirst();
        assertThat(sent.url()).isEqualTo("https://crm.example.com/api/customers?source=web");
        assertThat(sent.headers()).containsEntry("Idempotency-Key", run.id() + "-call")
                .containsEntry("Authorization", "Bearer " + TOKEN).containsEntry("X-Trace", "t-1");
        assertThat(Json.parse(new String(sent.body(), StandardCharsets.UTF_8)).get("email").asText()).isEqualTo("ada@example.com");
        assertThat(sent.timeout()).as("at most what the invocation has left").isEqualTo(Duration.ofSeconds(4));

        Run done = read(run);
        StepRecord call = done.steps().getFirst();
        assertThat(call.output().get("status").asInt()).isEqualTo(201);
        assertThat(call.output().get("headers").get("x-request-id").asText()).isEqualTo("r1");
        assertThat(call.output().get("body").get("id").asInt()).isEqualTo(9);
        assertThat(call.output().get("body").get("seen").asText()).isEqualTo("***");
        assertThat(call.input().get("headers").get("Authorization").asText()).isEqualTo("***");
        assertThat(call.input().get("headers").get("Idempotency-Key").asText()).isEqualTo(run.id() + "-call");
        assertThat(call.outboundRequests()).isEqualTo(1);
        assertThat(recorded(done)).doesNotContain(TOKEN);
    }

    @Test
    void a503IsRetriedLaterWithTheSameKeyAndTheRunWaitsPendingNotInALambda() {
        answers.add(r -> json(503, Map.of(), "{\"error\": \"busy\"}"));
        Run run = start("""
                {"name": "retry", "steps": [{"id": "call", "type": "http", "config": {"url": "https://api.example.com/x"}}]}""",
                "{}");

        Outcome first = deliver(run);
        assertThat(first).isInstanceOf(Outcome.Deferred.class);
        Run waiting = read(run);
        assertThat(waiting.status()).isEqualTo(RunStatus.PENDING);
        assertThat(waiting.leaseOwner()).isNull();
        assertThat(waiting.steps()).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(StepRecord.RETRYING);
            assertThat(r.error()).contains("HTTP 503");
            assertThat(r.outboundRequests()).isEqualTo(1);
        });
        assertThat(queued).singleElement().satisfies(s -> assertThat(s.delay()).isBetween(Duration.ofMillis(500),
                Duration.ofSeconds(1)));

        clock.advance(Duration.ofSeconds(2));
        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);
        Run done = read(run);
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.steps()).singleElement().satisfies(r -> {
            assertThat(r.attempts()).isEqualTo(2);
            assertThat(r.outboundRequests()).as("both attempts").isEqualTo(2);
        });
        assertThat(requests).extracting(r -> r.headers().get("Idempotency-Key")).containsExactly(
                run.id() + "-call", run.id() + "-call");
    }

    @Test
    void a429sRetryAfterIsHonouredAndMaxAttemptsOneDisablesTheRetry() {
        answers.add(r -> json(429, Map.of("Retry-After", "30"), "{}"));
        Run run = start("""
                {"name": "limited", "steps": [{"id": "call", "type": "http", "config": {"url": "https://api.example.com/x"}}]}""",
                "{}");
        assertThat(deliver(run)).isInstanceOf(Outcome.Deferred.class);
        assertThat(read(run).wakeAt()).isEqualTo(clock.instant().plusSeconds(30));

        answers.add(r -> json(503, Map.of(), "{}"));
        Run once = start("""
                {"name": "once", "steps": [{"id": "call", "type": "http", "retry": {"maxAttempts": 1},
                  "config": {"url": "https://api.example.com/x"}}]}""", "{}");
        assertThat(deliver(once)).isInstanceOf(Outcome.Finished.class);
        Run failed = read(once);
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.failure().code()).isEqualTo("http_503");
        assertThat(failed.failure().message()).isEqualTo("step 'call' failed: HTTP 503: {}");
    }

    @Test
    void other4xxFailTheStepUnlessContinueOnErrorThenTheAnswerIsTheOutput() {
        answers.add(r -> json(404, Map.of(), "{\"error\": \"no such customer\"}"));
        Run failing = start("""
                {"name": "404", "steps": [{"id": "call", "type": "http", "config": {"url": "https://api.example.com/c/1"}}]}""",
                "{}");
        deliver(failing);
        Run failed = read(failing);
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.failure().code()).isEqualTo("http_404");
        assertThat(requests).as("a 404 is not retried").hasSize(1);

        answers.add(r -> json(404, Map.of(), "{\"error\": \"no such customer\"}"));
        Run going = start("""
                {"name": "404 ok", "steps": [
                  {"id": "call", "type": "http", "continueOnError": true, "config": {"url": "https://api.example.com/c/1"}},
                  {"id": "create", "type": "http", "if": "{{steps.call.output.status | minus: 200}}",
                   "config": {"method": "POST", "url": "https://api.example.com/c"}},
                  {"id": "skip", "type": "http", "if": "{{input.never}}", "config": {"url": "https://api.example.com/never"}}]}""",
                "{}");
        deliver(going);
        Run done = read(going);
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.steps()).extracting(StepRecord::status).containsExactly("completed", "completed", "skipped");
        assertThat(done.steps().getFirst().output().get("status").asInt()).isEqualTo(404);
        assertThat(requests).extracting(OutboundHttp.Request::url).endsWith("https://api.example.com/c")
                .doesNotContain("https://api.example.com/never");
    }

    @Test
    void aMissingConnectionFailsTheStepWithAClearMessageAndSendsNothing() {
        Run run = start("""
                {"name": "invoice", "steps": [{"id": "invoice", "type": "action", "action": "stripe.createInvoice",
                  "config": {"customerId": "cus_1", "amount": 10}}]}""", "{}");
        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);
        Run failed = read(run);
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.failure().code()).isEqualTo("connection_unavailable");
        assertThat(failed.failure().message()).contains("needs a stripe connection", "no default one");
        assertThat(requests).isEmpty();

        Run named = start("""
                {"name": "named", "steps": [{"id": "mail", "type": "email", "config": {"connection": "conn_aaaaaaaaaaaaaaaaaaaaaaaa",
                  "to": "a@example.com", "subject": "hi", "body": {"text": "hello"}}}]}""", "{}");
        deliver(named);
        assertThat(read(named).failure().message()).contains("conn_aaaaaaaaaaaaaaaaaaaaaaaa", "was not found");
        assertThat(mails).isEmpty();
    }

    @Test
    void aCrashBetweenTheRequestAndItsCheckpointRepeatsTheRequestWithTheSameKeyAndNeverAfter() {
        Run run = start("""
                {"name": "crash", "steps": [{"id": "call", "type": "http", "config": {"method": "POST",
                  "url": "https://api.example.com/orders"}}]}""", "{}");
        runs.crashAtNextCheckpoint = true;
        assertThatThrownBy(() -> deliver(run)).isInstanceOf(WorkerDied.class);
        assertThat(requests).hasSize(1);
        assertThat(read(run).steps()).as("the result was never recorded").isEmpty();

        clock.advance(Duration.ofSeconds(61));  // the dead worker's lease runs out; the message comes back
        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);
        assertThat(requests).extracting(r -> r.headers().get("Idempotency-Key"))
                .containsExactly(run.id() + "-call", run.id() + "-call");

        assertThat(deliver(run)).as("a late duplicate").isInstanceOf(Outcome.AlreadyFinished.class);
        assertThat(requests).as("a recorded step is never sent again").hasSize(2);
        assertThat(read(run).steps().getFirst().outboundRequests()).as("the run counts what it recorded").isEqualTo(1);
    }

    @Test
    void withTooLittleOfTheInvocationLeftNothingIsSentAndTheRunGoesOnInAFreshOne() {
        Run run = start("""
                {"name": "late", "steps": [{"id": "call", "type": "http", "config": {"url": "https://api.example.com/x"}}]}""",
                "{}");
        assertThat(deliver(run, clock.instant().plusMillis(400))).isInstanceOf(Outcome.Deferred.class);
        assertThat(requests).isEmpty();
        assertThat(queued).singleElement().satisfies(s -> assertThat(s.delay()).isZero());
        assertThat(deliver(run)).isInstanceOf(Outcome.Finished.class);
        assertThat(read(run).status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(requests).hasSize(1);
    }

    @Test
    void anAnswerTooLargeToKeepInTheRunFailsTheStepNamingTheLimit() {
        answers.add(r -> json(200, Map.of(), "{\"blob\": \"" + "x".repeat(300 * 1024) + "\"}"));
        Run run = start("""
                {"name": "big", "steps": [{"id": "call", "type": "http", "config": {"url": "https://api.example.com/big"}}]}""",
                "{}");
        deliver(run);
        Run failed = read(run);
        assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.failure().code()).isEqualTo("output_too_large");
        assertThat(failed.failure().message()).contains(Integer.toString(ActingStep.MAX_OUTPUT_BYTES));
    }

    @Test
    void definitionsAreCheckedWhenSaved() {
        var e = catchThrowableOfType(KickoffException.class, () -> workflowService.create(ORG.orgId(), Json.parse("""
                {"name": "bad", "steps": [
                  {"id": "a", "type": "action", "config": {}},
                  {"id": "b", "type": "action", "action": "stripe.refundEverything", "config": {}},
                  {"id": "c", "type": "action", "action": "stripe.createInvoice", "config": {"amount": -1, "colour": 1}},
                  {"id": "d", "type": "http", "config": {"method": "TELEPORT", "headers": {"Idempotency-Key": "mine"}}},
                  {"id": "e", "type": "email", "config": {"action": "fax", "to": "not an address", "subject": "s",
                   "body": {"text": "t"}, "connection": "smtp-main"}},
                  {"id": "f", "type": "http", "retry": {"maxAttempts": 0}, "config": {"url": "https://x.example.com"}}]}""")));
        assertThat(e.details()).extracting(FieldError::path).containsExactlyInAnyOrder(
                "/steps/0/action", "/steps/1/action",
                "/steps/2/config/customerId", "/steps/2/config/amount", "/steps/2/config/colour",
                "/steps/3/config/url", "/steps/3/config/method", "/steps/3/config/headers/Idempotency-Key",
                "/steps/4/config/action", "/steps/4/config/to", "/steps/4/config/connection",
                "/steps/5/retry/maxAttempts");
        assertThat(e.details()).filteredOn(p -> p.path().equals("/steps/1/action")).first()
                .extracting(FieldError::message).asString().contains("stripe.createInvoice", "email.send", "http.request");
    }

    @Test
    void theOutboundCountIsPerThreadAndSkipsRefusedRequests() {
        OutboundHttp refusing = OutboundCount.counting(r -> new OutboundHttp.Failure(OutboundHttp.Failure.Kind.REFUSED,
                "refused", 0));
        OutboundHttp answering = OutboundCount.counting(http);
        var counted = OutboundCount.during(() -> {
            answering.send(new OutboundHttp.Request("GET", "https://a.example.com", Map.of(), null,
                    Duration.ofSeconds(1), 10, false));
            refusing.send(new OutboundHttp.Request("GET", "http://169.254.169.254", Map.of(), null,
                    Duration.ofSeconds(1), 10, false));
            return "done";
        });
        assertThat(counted.requests()).isEqualTo(1);
        assertThat(OutboundCount.during(() -> 0).requests()).isZero();
    }
}
