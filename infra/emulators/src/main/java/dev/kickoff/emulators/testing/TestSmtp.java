package dev.kickoff.emulators.testing;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;

import java.time.Duration;
import java.util.List;

/**
 * An SMTP server on a free loopback port (GreenMail) for the email tests: what it received, and optionally a
 * user it requires. No STARTTLS (GreenMail's plain SMTP does not offer it), so a connection with
 * {@code starttls: true} is refused by the sender, which is itself worth a test.
 */
public final class TestSmtp implements AutoCloseable {
    private final GreenMail greenMail;

    private TestSmtp(GreenMail greenMail) {
        this.greenMail = greenMail;
    }

    /** Accepts mail from anyone, without authentication. */
    public static TestSmtp start() {
        return start(GreenMailConfiguration.aConfig().withDisabledAuthentication());
    }

    /** Requires {@code username}/{@code password} (AUTH PLAIN or LOGIN). */
    public static TestSmtp startWithUser(String username, String password) {
        return start(GreenMailConfiguration.aConfig().withUser(username, password));
    }

    private static TestSmtp start(GreenMailConfiguration configuration) {
        GreenMail mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        mail.withConfiguration(configuration);
        mail.start();
        return new TestSmtp(mail);
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return greenMail.getSmtp().getPort();
    }

    /** Waits (at most {@code timeout}) until {@code count} messages have arrived; the messages so far. */
    public List<MimeMessage> await(int count, Duration timeout) {
        greenMail.waitForIncomingEmail(timeout.toMillis(), count);
        return received();
    }

    public List<MimeMessage> received() {
        return List.of(greenMail.getReceivedMessages());
    }

    @Override
    public void close() {
        greenMail.stop();
    }
}
