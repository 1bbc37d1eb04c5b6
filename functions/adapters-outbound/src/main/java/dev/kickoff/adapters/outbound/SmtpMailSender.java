package dev.kickoff.adapters.outbound;

import dev.kickoff.core.port.MailSender;
import dev.kickoff.core.webhook.AddressPolicy;
import dev.kickoff.core.webhook.WebhookUrls;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.util.MailConnectException;

import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * Email over SMTP with Jakarta Mail (Angus), under the same outbound rules as HTTP: the server's name is resolved
 * once, every address must be public (loopback allowed in local mode only), and the connection goes to the
 * checked address (a socket factory pins it) while STARTTLS verifies the certificate against the configured name.
 * With {@code starttls} the session refuses to send in the clear when the server does not offer it. Connect and
 * read timeouts come from the step's budget.
 */
public final class SmtpMailSender implements MailSender {
    private final boolean allowLoopback;
    private final SafeHttpClient.Resolver resolver;
    private final SSLSocketFactory tls;

    public SmtpMailSender(boolean allowLoopback) {
        this(allowLoopback, InetAddress::getAllByName, (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    public SmtpMailSender(boolean allowLoopback, SafeHttpClient.Resolver resolver, SSLSocketFactory tls) {
        this.allowLoopback = allowLoopback;
        this.resolver = resolver;
        this.tls = tls;
    }

    @Override
    public Result send(Server server, Message message) {
        String host = server.host();
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!allowLoopback && !WebhookUrls.isIpLiteral(bare) && (bare.equalsIgnoreCase("localhost")
                || bare.toLowerCase(java.util.Locale.ROOT).endsWith(".localhost"))) {
            return new Failed(false, "refused", "refused: " + bare + " is this machine; mail goes to public servers only");
        }
        InetAddress target;
        try {
            // A literal address is parsed, never looked up.
            InetAddress[] addresses = WebhookUrls.isIpLiteral(bare) ? new InetAddress[]{InetAddress.getByName(bare)}
                    : resolver.resolve(bare);
            if (addresses == null || addresses.length == 0) {
                return new Failed(true, "connect", "DNS: " + bare + " has no address");
            }
            for (InetAddress a : addresses) {
                String refusal = AddressPolicy.refusal(a, allowLoopback);
                if (refusal != null) {
                    return new Failed(false, "refused", "refused: " + bare + " resolves to a " + refusal + " ("
                            + a.getHostAddress() + "); mail goes to public servers only");
                }
            }
            target = addresses[0];
        } catch (UnknownHostException e) {
            return new Failed(true, "connect", "DNS: cannot resolve " + bare);
        }

        int timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, server.timeout().toMillis()));
        Properties props = new Properties();
        props.put("mail.smtp.host", bare);
        props.put("mail.smtp.port", Integer.toString(server.port()));
        props.put("mail.smtp.connectiontimeout", Integer.toString(timeoutMillis));
        props.put("mail.smtp.timeout", Integer.toString(timeoutMillis));
        props.put("mail.smtp.socketFactory", new PinnedSocketFactory(target));
        props.put("mail.smtp.socketFactory.fallback", "false");
        props.put("mail.smtp.ssl.socketFactory", tls);
        props.put("mail.smtp.ssl.checkserveridentity", "true");
        props.put("mail.smtp.starttls.enable", Boolean.toString(server.starttls()));
        props.put("mail.smtp.starttls.required", Boolean.toString(server.starttls()));
        props.put("mail.smtp.auth", Boolean.toString(server.username() != null));
        // Deliver to the recipients the server accepts and report the others, rather than all-or-nothing.
        props.put("mail.smtp.sendpartial", "true");
        // Our own HELO name, the sender's domain: looking up the local host name can take seconds where there is
        // no reverse DNS, and a Lambda's host name means nothing to the server.
        String from = message.from() == null ? "" : message.from();
        props.put("mail.smtp.localhost", from.contains("@") ? from.substring(from.lastIndexOf('@') + 1) : "localhost");
        Session session = Session.getInstance(props);

        List<String> recipients = new ArrayList<>(message.to());
        recipients.addAll(message.cc());
        try {
            MimeMessage mime = new FixedIdMessage(session, message.messageId());
            mime.setFrom(new InternetAddress(message.from(), true));
            mime.setRecipients(RecipientType.TO, addresses(message.to()));
            if (!message.cc().isEmpty()) {
                mime.setRecipients(RecipientType.CC, addresses(message.cc()));
            }
            mime.setSubject(message.subject(), "UTF-8");
            mime.setSentDate(new java.util.Date());
            if (message.html() != null && message.text() != null) {
                MimeMultipart alternative = new MimeMultipart("alternative");
                MimeBodyPart text = new MimeBodyPart();
                text.setText(message.text(), "UTF-8", "plain");
                MimeBodyPart html = new MimeBodyPart();
                html.setText(message.html(), "UTF-8", "html");
                alternative.addBodyPart(text);
                alternative.addBodyPart(html);
                mime.setContent(alternative);
            } else if (message.html() != null) {
                mime.setText(message.html(), "UTF-8", "html");
            } else {
                mime.setText(message.text(), "UTF-8", "plain");
            }
            mime.saveChanges();
            try (Transport transport = session.getTransport("smtp")) {
                transport.connect(bare, server.port(), server.username(), server.password());
                transport.sendMessage(mime, mime.getAllRecipients());
            }
            return new Sent(message.messageId(), recipients, List.of());
        } catch (SendFailedException e) {
            List<String> accepted = strings(e.getValidSentAddresses());
            Set<String> rejected = new LinkedHashSet<>(strings(e.getInvalidAddresses()));
            rejected.addAll(strings(e.getValidUnsentAddresses()));
            if (!accepted.isEmpty()) {
                return new Sent(message.messageId(), accepted, List.copyOf(rejected));
            }
            return classify(e);
        } catch (MessagingException e) {
            return classify(e);
        }
    }

    private static Failed classify(MessagingException e) {
        Throwable cause = e;
        int code = -1;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SMTPAddressFailedException a) {
                code = a.getReturnCode();
            } else if (t instanceof SMTPSendFailedException s) {
                code = s.getReturnCode();
            }
            if (t instanceof SocketTimeoutException) {
                return new Failed(true, "timeout", "timeout talking to the SMTP server");
            }
            if (t instanceof MessagingException m && m.getNextException() != null && t.getCause() == null) {
                cause = m.getNextException();
                if (cause instanceof SocketTimeoutException) {
                    return new Failed(true, "timeout", "timeout talking to the SMTP server");
                }
            }
        }
        String message = summary(e);
        if (e instanceof AuthenticationFailedException) {
            return new Failed(false, "auth", "the SMTP server refused the credentials: " + message);
        }
        if (e instanceof MailConnectException) {
            return new Failed(true, "connect", "cannot connect to the SMTP server: " + message);
        }
        if (code >= 400 && code < 500) {
            return new Failed(true, Integer.toString(code), "SMTP " + code + ": " + message);
        }
        if (code >= 500) {
            return new Failed(false, Integer.toString(code), "SMTP " + code + ": " + message);
        }
        if (message.toLowerCase(java.util.Locale.ROOT).contains("starttls")) {
            return new Failed(false, "starttls", "the SMTP server does not offer STARTTLS, and the connection requires it");
        }
        if (cause instanceof IOException || e.getNextException() instanceof IOException) {
            return new Failed(true, "connect", "connection to the SMTP server failed: " + message);
        }
        return new Failed(false, "error", message);
    }

    private static String summary(MessagingException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        return m.length() > 300 ? m.substring(0, 300) + "…" : m;
    }

    private static Address[] addresses(List<String> list) throws MessagingException {
        Address[] out = new Address[list.size()];
        for (int i = 0; i < list.size(); i++) {
            out[i] = new InternetAddress(list.get(i), true);
        }
        return out;
    }

    private static List<String> strings(Address[] addresses) {
        List<String> out = new ArrayList<>();
        if (addresses != null) {
            for (Address a : addresses) {
                out.add(a instanceof InternetAddress ia ? ia.getAddress() : a.toString());
            }
        }
        return out;
    }

    /** Keeps the Message-ID derived from the step's idempotency key (Jakarta Mail would draw a new one). */
    private static final class FixedIdMessage extends MimeMessage {
        private final String messageId;

        FixedIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }

    /**
     * Sockets that connect to the address that was checked, whatever address Jakarta Mail asks for (it resolves the
     * host name again): DNS rebinding between the check and the connect changes nothing.
     */
    static final class PinnedSocketFactory extends SocketFactory {
        private final InetAddress pinned;

        PinnedSocketFactory(InetAddress pinned) {
            this.pinned = pinned;
        }

        @Override
        public Socket createSocket() {
            return new Socket() {
                @Override
                public void connect(SocketAddress endpoint, int timeout) throws IOException {
                    int port = endpoint instanceof InetSocketAddress a ? a.getPort() : 25;
                    super.connect(new InetSocketAddress(pinned, port), timeout);
                }

                @Override
                public void connect(SocketAddress endpoint) throws IOException {
                    connect(endpoint, 0);
                }
            };
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket s = createSocket();
            s.connect(new InetSocketAddress(pinned, port));
            return s;
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return createSocket((String) null, port);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return createSocket((String) null, port);
        }
    }
}
