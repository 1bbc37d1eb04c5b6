package dev.kickoff.adapters.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.action.ActionRequest;
import dev.kickoff.core.action.ActionResult;
import dev.kickoff.core.action.EmailSendAction;
import dev.kickoff.core.connection.OpenedConnection;
import dev.kickoff.core.connection.Provider;
import dev.kickoff.core.json.Json;
import dev.kickoff.emulators.testing.TestSmtp;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLSocketFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The email action over the SMTP sender, into GreenMail. */
class EmailSendActionTest {
    static OpenedConnection smtp(TestSmtp server, boolean starttls, Map<String, String> secrets) {
        return Fixtures.connection(Provider.SMTP, """
                {"host": "%s", "port": %d, "from": "orders@shop.example", "starttls": %s}"""
                .formatted(server.host(), server.port(), starttls), secrets);
    }

    static ActionResult send(EmailSendAction action, OpenedConnection c, String config) {
        return action.perform(new ActionRequest(Json.parse(config), c, "777-send-confirmation", Duration.ofSeconds(20), false));
    }

    static final String SEED_003 = """
            {"action": "send", "to": "ada@example.com", "cc": ["ops@example.com", "books@example.com"],
             "subject": "Order Confirmed - Invoice #KICK-0001",
             "body": {"html": "<p>Thank you for your order!</p><p>Total: $4317.84</p>", "text": "Thank you! Total: $4317.84"}}""";

    @Test
    void theMessageArrivesWithSubjectHtmlTextAndCcAndItsIdIsTheOutput() throws Exception {
        try (TestSmtp server = TestSmtp.start()) {
            EmailSendAction email = new EmailSendAction("email", new SmtpMailSender(true));
            ActionResult r = send(email, smtp(server, false, Map.of()), SEED_003);
            assertThat(r).isInstanceOf(ActionResult.Succeeded.class);
            JsonNode out = ((ActionResult.Succeeded) r).output();
            assertThat(out.get("message_id").asText()).isEqualTo("<777-send-confirmation.kickoff@shop.example>");
            assertThat(out.get("accepted")).extracting(JsonNode::asText)
                    .containsExactly("ada@example.com", "ops@example.com", "books@example.com");

            List<MimeMessage> received = server.await(3, Duration.ofSeconds(5));
            assertThat(received).hasSize(3);  // one copy per recipient
            MimeMessage m = received.getFirst();
            assertThat(m.getSubject()).isEqualTo("Order Confirmed - Invoice #KICK-0001");
            assertThat(m.getMessageID()).isEqualTo(out.get("message_id").asText());
            assertThat(m.getFrom()[0].toString()).isEqualTo("orders@shop.example");
            assertThat(Arrays.stream(m.getRecipients(Message.RecipientType.CC)).map(Object::toString))
                    .containsExactly("ops@example.com", "books@example.com");
            MimeMultipart alternative = (MimeMultipart) m.getContent();
            assertThat(alternative.getContentType()).contains("multipart/alternative");
            assertThat(alternative.getBodyPart(0).getContent().toString()).contains("Thank you! Total: $4317.84");
            assertThat(alternative.getBodyPart(1).getContentType()).contains("text/html");
            assertThat(alternative.getBodyPart(1).getContent().toString()).contains("<p>Total: $4317.84</p>");
            assertThat(r.recordedInput().get("server").asText()).isEqualTo("127.0.0.1:" + server.port());
        }
    }

    @Test
    void credentialsAreUsedAndAWrongPasswordIsAPermanentFailure() {
        try (TestSmtp server = TestSmtp.startWithUser("mailer", "pa55word")) {
            EmailSendAction email = new EmailSendAction("email.send", new SmtpMailSender(true));
            String config = "{\"to\": \"a@example.com\", \"subject\": \"hi\", \"body\": {\"text\": \"x\"}}";
            ActionResult ok = send(email, smtp(server, false, Map.of("username", "mailer", "password", "pa55word")), config);
            assertThat(ok).isInstanceOf(ActionResult.Succeeded.class);
            assertThat(Json.write(ok.recordedInput())).doesNotContain("pa55word");

            ActionResult.Failed bad = (ActionResult.Failed) send(email,
                    smtp(server, false, Map.of("username", "mailer", "password", "wrong")), config);
            assertThat(bad.retryable()).isFalse();
            assertThat(bad.code()).isEqualTo("smtp_auth");
        }
    }

    @Test
    void starttlsRequiredAgainstAServerWithoutItRefusesToSendInTheClear() {
        try (TestSmtp server = TestSmtp.start()) {
            EmailSendAction email = new EmailSendAction("email", new SmtpMailSender(true));
            ActionResult.Failed f = (ActionResult.Failed) send(email, smtp(server, true, Map.of()),
                    "{\"to\": \"a@example.com\", \"subject\": \"hi\", \"body\": {\"text\": \"x\"}}");
            assertThat(f.retryable()).isFalse();
            assertThat(f.message()).containsIgnoringCase("starttls");
            assertThat(server.received()).isEmpty();
        }
    }

    @Test
    void theSmtpHostIsCheckedAndPinnedLikeAnHttpTarget() {
        try (TestSmtp server = TestSmtp.start()) {
            AtomicInteger calls = new AtomicInteger();
            SafeHttpClient.Resolver dns = host -> {
                calls.incrementAndGet();
                if (host.equals("mail.test")) {
                    return new InetAddress[]{InetAddress.getByName("127.0.0.1")};
                }
                if (host.equals("lan.test")) {
                    return new InetAddress[]{InetAddress.getByName("192.168.1.20")};
                }
                throw new UnknownHostException(host);
            };
            String config = "{\"to\": \"a@example.com\", \"subject\": \"hi\", \"body\": {\"text\": \"x\"}}";
            // "mail.test" resolves only through our resolver: the message arriving proves the connection used the
            // checked address, not a lookup of its own.
            EmailSendAction local = new EmailSendAction("email", new SmtpMailSender(true, dns,
                    (SSLSocketFactory) SSLSocketFactory.getDefault()));
            OpenedConnection named = Fixtures.connection(Provider.SMTP, "{\"host\": \"mail.test\", \"port\": " + server.port()
                    + ", \"from\": \"o@shop.example\", \"starttls\": false}", Map.of());
            assertThat(send(local, named, config)).isInstanceOf(ActionResult.Succeeded.class);
            assertThat(server.await(1, Duration.ofSeconds(5))).hasSize(1);

            EmailSendAction aws = new EmailSendAction("email", new SmtpMailSender(false, dns,
                    (SSLSocketFactory) SSLSocketFactory.getDefault()));
            for (String host : List.of("mail.test", "lan.test", "127.0.0.1", "localhost")) {
                OpenedConnection c = Fixtures.connection(Provider.SMTP, "{\"host\": \"" + host + "\", \"port\": "
                        + server.port() + ", \"from\": \"o@shop.example\", \"starttls\": false}", Map.of());
                ActionResult.Failed f = (ActionResult.Failed) send(aws, c, config);
                assertThat(f.code()).as(host).isEqualTo("smtp_refused");
                assertThat(f.retryable()).isFalse();
            }
            assertThat(server.received()).as("nothing more arrived").hasSize(1);
        }
    }

    @Test
    void anUnreachableServerIsRetryableAndBadInputIsNot() throws Exception {
        int closed;
        try (var s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        EmailSendAction email = new EmailSendAction("email", new SmtpMailSender(true));
        OpenedConnection nowhere = Fixtures.connection(Provider.SMTP, "{\"host\": \"127.0.0.1\", \"port\": " + closed
                + ", \"from\": \"o@shop.example\", \"starttls\": false}", Map.of());
        ActionResult.Failed down = (ActionResult.Failed) send(email, nowhere,
                "{\"to\": \"a@example.com\", \"subject\": \"hi\", \"body\": {\"text\": \"x\"}}");
        assertThat(down.retryable()).isTrue();

        ActionResult.Failed injected = (ActionResult.Failed) send(email, nowhere,
                "{\"to\": \"a@example.com\", \"subject\": \"hi\\r\\nBcc: all@example.com\", \"body\": {\"text\": \"x\"}}");
        assertThat(injected.retryable()).isFalse();
        assertThat(injected.message()).contains("one line");
        ActionResult.Failed notAnAddress = (ActionResult.Failed) send(email, nowhere,
                "{\"to\": \"not-an-address\", \"subject\": \"hi\", \"body\": {\"text\": \"x\"}}");
        assertThat(notAnAddress.message()).contains("not an email address");
    }
}
