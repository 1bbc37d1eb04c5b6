package dev.kickoff.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.kickoff.api.workspace.WorkspaceIds;
import dev.kickoff.api.workspace.WorkspaceIds.Kind;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import dev.kickoff.core.json.Json;
import dev.kickoff.emulators.CloudFormationTemplate;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.testing.FakeStripe;
import dev.kickoff.emulators.testing.TestSmtp;
import jakarta.mail.internet.MimeMessage;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10's "done": seed 003's Complete Example, saved verbatim (the JSON as the seed prints it, not one character
 * changed), published and run on the local stack over real HTTP, as the README's walk-through does it: connections
 * created through the API (a Stripe-compatible fake on loopback, a real SMTP server), the workflow saved and
 * published, a run triggered with seed 003's API and watched until it completes. The invoice is for the computed
 * total and the email carries its number. The connections' secrets appear nowhere the run leaves a trace: the
 * table, every API shape's run answer, the webhook payload, the log.
 */
class CompleteExampleLocalTest {
    static final String STRIPE_KEY = "sk_test_local_51Hx0CompleteExample99";
    static final String SMTP_PASSWORD = "local-smtp-Pa55word-xyz";

    @TempDir
    Path dataDir;

    /** Every log line written while the test runs, Kickoff's at every level. */
    static final class Captured extends AbstractAppender {
        final List<String> lines = new CopyOnWriteArrayList<>();

        Captured() {
            super("complete-example-captured", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            lines.add(event.getLoggerName() + " " + event.getMessage().getFormattedMessage()
                    + (event.getThrown() == null ? "" : " " + event.getThrown()) + " " + event.getContextData());
        }
    }

    static String completeExample() throws Exception {
        try (InputStream in = CompleteExampleLocalTest.class.getResourceAsStream("/seeds/seed003-complete-example.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void seed003sCompleteExampleRunsEndToEnd() throws Exception {
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        Captured logs = new Captured();
        logs.start();
        logging.getConfiguration().getRootLogger().addAppender(logs, Level.ALL, null);
        logging.updateLoggers();
        Configurator.setLevel("dev.kickoff", Level.ALL);
        List<String> webhooks = new CopyOnWriteArrayList<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        receiver.createContext("/hooks", exchange -> {
            try (exchange) {
                webhooks.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(204, -1);
            }
        });
        receiver.start();
        try (FakeStripe stripe = FakeStripe.start(STRIPE_KEY);
             TestSmtp smtp = TestSmtp.startWithUser("shop", SMTP_PASSWORD);
             KickoffLocal stack = KickoffLocal.start(new KickoffLocal.Options(0, dataDir, CloudFormationTemplate.locate(), 2))) {
            LocalHttp http = new LocalHttp(stack.baseUrl());
            String manage = stack.manageToken();

            // 1. The connections: Stripe (here the fake's base URL; omit baseUrl for Stripe's API) and SMTP.
            var stripeConnection = http.send("POST", "/api/manage/v1/connections", manage, """
                    {"provider": "stripe", "name": "Stripe test mode", "config": {"baseUrl": "%s"},
                     "secrets": {"apiKey": "%s"}}""".formatted(stripe.baseUrl(), STRIPE_KEY));
            assertThat(stripeConnection.status()).as(stripeConnection.body()).isEqualTo(201);
            assertThat(stripeConnection.json().at("/connection/default").asBoolean()).isTrue();
            var smtpConnection = http.send("POST", "/api/manage/v1/connections", manage, """
                    {"provider": "smtp", "name": "Shop mail", "config": {"host": "127.0.0.1", "port": %d,
                     "from": "orders@shop.test", "starttls": false}, "secrets": {"username": "shop", "password": "%s"}}"""
                    .formatted(smtp.port(), SMTP_PASSWORD));
            assertThat(smtpConnection.status()).as(smtpConnection.body()).isEqualTo(201);
            var hook = http.send("POST", "/api/manage/v1/webhooks", manage, """
                    {"url": "http://127.0.0.1:%d/hooks", "events": ["run.completed", "run.failed"]}"""
                    .formatted(receiver.getAddress().getPort()));
            assertThat(hook.status()).as(hook.body()).isEqualTo(201);

            // 2. The workflow, saved verbatim, and published.
            var saved = http.send("POST", "/api/manage/v1/workflows", manage, completeExample(),
                    "Content-Type", "application/json");
            assertThat(saved.status()).as(saved.body()).isEqualTo(201);
            long workflow = saved.json().at("/workflow/id").asLong();
            assertThat(saved.json().at("/workflow/definition")).isEqualTo(Json.parse(completeExample()));
            assertThat(http.send("POST", "/api/manage/v1/workflows/" + workflow + "/publish", manage, null).status())
                    .isEqualTo(200);

            // 3. A run, triggered with seed 003's API, watched until it ends.
            String customer = stripe.createCustomer("ada@example.com");
            String[] key = {"x-api-key", stack.apiToken(), "Content-Type", "application/json"};
            var started = http.send("POST", "/api/v1/workflows/wf_" + workflow + "/run", null, """
                    {"input": {"customerId": "%s", "customerEmail": "ada@example.com",
                     "items": [{"productId": "widget", "quantity": 2, "price": 1999}]}}""".formatted(customer), key);
            assertThat(started.status()).as(started.body()).isEqualTo(201);
            String runId = started.json().at("/data/runId").asText();
            JsonNode run = awaitSeed003(http, runId, stack.apiToken());
            assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("completed");
            assertThat(run.get("steps")).extracting(s -> s.get("id").asText() + ":" + s.get("status").asText())
                    .containsExactly("calculate-total:completed", "create-invoice:completed", "send-confirmation:completed");

            // The invoice: one, for the computed total (4317.84 → 431784 cents), finalized with its number.
            assertThat(stripe.invoices()).singleElement().satisfies(invoice -> {
                assertThat(invoice.get("customer").asText()).isEqualTo(customer);
                assertThat(invoice.get("amount_due").asLong()).isEqualTo(431784);
                assertThat(invoice.get("currency").asText()).isEqualTo("usd");
                assertThat(invoice.get("status").asText()).isEqualTo("open");
                assertThat(invoice.at("/metadata/source").asText()).isEqualTo("api-order");
            });
            String number = stripe.invoices().getFirst().get("number").asText();
            assertThat(run.at("/steps/1/output/number").asText()).isEqualTo(number);
            // The email: its subject carries the invoice number, its body the total.
            List<MimeMessage> mail = smtp.await(1, Duration.ofSeconds(10));
            assertThat(mail).hasSize(1);
            assertThat(mail.getFirst().getSubject()).isEqualTo("Order Confirmed - Invoice #" + number);
            assertThat(mail.getFirst().getAllRecipients()).extracting(Object::toString).containsExactly("ada@example.com");
            assertThat(mailText(mail.getFirst())).contains("<p>Total: $4317.84</p>");

            // Secrets: in no run answer of any shape, ...
            long id = Long.parseLong(runId.substring("run_".length()));
            String[] answers = {
                    http.send("GET", "/api/v1/runs/" + runId, null, null, "x-api-key", stack.apiToken()).body(),
                    http.send("GET", "/api/external/v1/workflows/" + workflow + "/runs/" + id, stack.apiToken(), null).body(),
                    http.send("GET", "/api/v1/workspaces/" + WorkspaceIds.encode(Kind.WORKSPACE, stack.orgId())
                            + "/workflows/" + WorkspaceIds.encode(Kind.WORKFLOW, workflow) + "/runs/"
                            + WorkspaceIds.encode(Kind.RUN, id), stack.apiToken(), null).body(),
                    http.send("GET", "/workflows/" + workflow + "/executions/exec_" + id, null, null,
                            "X-API-KEY", stack.apiToken()).body()};
            for (String answer : answers) {
                assertThat(answer).contains("completed").doesNotContain(STRIPE_KEY, SMTP_PASSWORD);
            }
            // (seed 002 shows each step's recorded input: the request as sent, amount in cents)
            assertThat(Json.parse(answers[2]).at("/node_runs/1/input_data/amount_minor").asLong()).isEqualTo(431784);
            // ... nor in the connections' answers, ...
            assertThat(http.send("GET", "/api/manage/v1/connections", manage, null).body())
                    .contains("\"secret_keys\":[\"apiKey\"]").doesNotContain(STRIPE_KEY, SMTP_PASSWORD);
            // ... the webhook payload, ...
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (webhooks.isEmpty() && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            assertThat(webhooks).singleElement().satisfies(payload -> assertThat(payload)
                    .contains("run.completed", "message_id").doesNotContain(STRIPE_KEY, SMTP_PASSWORD));
            // ... any item of the table in plain text (the connection items hold them sealed), ...
            CompositionRoot runtime = new CompositionRoot(Settings.fromEnvironment(new HashMap<>(
                    FunctionSpec.of("ApiFunction", stack.resources()).environment())));
            String table = runtime.dynamo().scan(ScanRequest.builder()
                    .tableName(stack.resources().table("KickoffTable").name()).build()).items().toString();
            assertThat(table).contains("\"outbound_requests\":3").doesNotContain(STRIPE_KEY, SMTP_PASSWORD);
        } finally {
            receiver.stop(0);
            logging.getConfiguration().getRootLogger().removeAppender(logs.getName());
            logging.updateLoggers();
            Configurator.setLevel("dev.kickoff", Level.INFO);
            logs.stop();
        }
        // ... or the log.
        assertThat(logs.lines).isNotEmpty().noneSatisfy(line -> assertThat(line).containsAnyOf(STRIPE_KEY, SMTP_PASSWORD));
    }

    /** Seed 003's GET until the run has ended (its waitForCompletion); the run's {@code data}. */
    static JsonNode awaitSeed003(LocalHttp http, String runId, String apiKey) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode data = http.send("GET", "/api/v1/runs/" + runId, null, null, "x-api-key", apiKey).json().get("data");
            String status = data.get("status").asText();
            if (status.equals("completed") || status.equals("failed")) {
                return data;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("run " + runId + " did not finish");
    }

    static String mailText(MimeMessage message) throws Exception {
        Object content = message.getContent();
        if (content instanceof String s) {
            return s;
        }
        var multipart = (jakarta.mail.Multipart) content;
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < multipart.getCount(); i++) {
            Object part = multipart.getBodyPart(i).getContent();
            all.append(part instanceof String s ? s : mailText((jakarta.mail.internet.MimeMultipart) part));
        }
        return all.toString();
    }

    static String mailText(jakarta.mail.internet.MimeMultipart multipart) throws Exception {
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < multipart.getCount(); i++) {
            Object part = multipart.getBodyPart(i).getContent();
            all.append(part instanceof String s ? s : mailText((jakarta.mail.internet.MimeMultipart) part));
        }
        return all.toString();
    }
}
