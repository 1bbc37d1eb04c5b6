package dev.kickoff.core.port;

import java.time.Duration;
import java.util.List;

/** Sends one email through a customer's SMTP server. Never throws for what the server or the network does. */
public interface MailSender {
    Result send(Server server, Message message);

    /**
     * Where and how to connect. {@code password} comes from an opened connection secret: never logged, never
     * recorded.
     */
    record Server(String host, int port, boolean starttls, String username, String password, Duration timeout) {
        @Override
        public String toString() {
            return "Server[" + host + ":" + port + (starttls ? ", starttls" : "") + "]";
        }
    }

    /**
     * @param messageId the {@code Message-ID} header (with its angle brackets), derived from the step's idempotency
     *                  key so a repeated send is recognisable as the same message
     */
    record Message(String from, List<String> to, List<String> cc, String subject, String html, String text,
                   String messageId) {
        public Message {
            to = List.copyOf(to);
            cc = cc == null ? List.of() : List.copyOf(cc);
        }
    }

    sealed interface Result permits Sent, Failed {
    }

    /** The server took the message for {@code accepted}; it refused {@code rejected} (partial delivery). */
    record Sent(String messageId, List<String> accepted, List<String> rejected) implements Result {
    }

    /**
     * @param retryable true for connection problems, timeouts and SMTP 4xx replies; false for 5xx replies,
     *                  authentication failures and refused hosts
     * @param code      the SMTP reply code when there was one, else a short word ({@code connect}, {@code timeout},
     *                  {@code refused}, {@code auth})
     */
    record Failed(boolean retryable, String code, String message) implements Result {
    }
}
