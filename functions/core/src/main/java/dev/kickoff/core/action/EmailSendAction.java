package dev.kickoff.core.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.connection.ConnectionRules;
import dev.kickoff.core.connection.OpenedConnection;
import dev.kickoff.core.connection.Provider;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.MailSender;
import dev.kickoff.core.template.Template;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code email.send} (and seed 003's {@code email} step with {@code config.action: "send"}): {@code to},
 * {@code cc} (an address, a comma-separated list, or an array), {@code subject}, {@code body.html} and/or
 * {@code body.text}, sent through the SMTP connection from its {@code from} address. Output
 * {@code {message_id, accepted, rejected}}. The {@code Message-ID} is derived from the step's idempotency key,
 * so a message sent again after a crash is recognisably the same message.
 *
 * <p>Retryable: connection errors, timeouts, SMTP 4xx. A message no recipient accepted, a 5xx reply or refused
 * credentials fail the step. Some recipients refused and others accepted is a success that lists both (sending
 * again would repeat it to those who got it).
 */
public final class EmailSendAction implements Action {
    static final Set<String> CONFIG_KEYS = Set.of("action", "to", "cc", "subject", "body", "connection", "timeout");
    static final int MAX_RECIPIENTS = 50;
    static final int MAX_SUBJECT = 998;
    static final int MAX_BODY_CHARS = 1024 * 1024;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    private final String name;
    private final MailSender mail;

    /** @param name {@code email.send}, or {@code email} for the step type of that name */
    public EmailSendAction(String name, MailSender mail) {
        this.name = name;
        this.mail = mail;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Provider provider() {
        return Provider.SMTP;
    }

    @Override
    public boolean needsConnection(JsonNode config) {
        return true;
    }

    @Override
    public List<FieldError> validate(JsonNode config, String pointer) {
        List<FieldError> problems = new ArrayList<>();
        if (!ConfigKeys.check(config, pointer, CONFIG_KEYS, "email", problems)) {
            return problems;
        }
        JsonNode action = config.get("action");
        if (action != null && !"send".equals(action.asText())) {
            problems.add(new FieldError(pointer + "/action", "the only email action is send"));
        }
        if (!config.hasNonNull("to")) {
            problems.add(new FieldError(pointer + "/to", "to is required"));
        }
        JsonNode subject = config.get("subject");
        if (subject == null || !subject.isTextual()) {
            problems.add(new FieldError(pointer + "/subject", "subject is required (a string)"));
        }
        JsonNode body = config.get("body");
        if (body == null || !body.isObject() || (!body.hasNonNull("html") && !body.hasNonNull("text"))) {
            problems.add(new FieldError(pointer + "/body", "body needs html, text, or both"));
        }
        for (String field : List.of("to", "cc")) {
            JsonNode v = config.get(field);
            if (v != null && v.isTextual() && !Template.isTemplated(v.textValue())) {
                for (String a : split(v.textValue())) {
                    if (!ConnectionRules.isEmail(a)) {
                        problems.add(new FieldError(pointer + "/" + field, "'" + shorten(a) + "' is not an email address"));
                    }
                }
            }
        }
        return problems;
    }

    @Override
    public ActionResult perform(ActionRequest request) {
        JsonNode config = request.config() == null ? Json.object() : request.config();
        ObjectNode recorded = Json.object();
        try {
            OpenedConnection connection = request.connection();
            JsonNode server = connection.connection().config();
            String from = HttpParts.text(server, "from");
            recorded.put("from", from);
            List<String> to = addresses(config.get("to"), "to");
            List<String> cc = addresses(config.get("cc"), "cc");
            recorded.set("to", array(to));
            if (!cc.isEmpty()) {
                recorded.set("cc", array(cc));
            }
            if (to.isEmpty()) {
                throw ActionFailure.permanent("invalid_config", "to is required: at least one email address");
            }
            if (to.size() + cc.size() > MAX_RECIPIENTS) {
                throw ActionFailure.permanent("invalid_config", "at most " + MAX_RECIPIENTS + " recipients");
            }
            String subject = HttpParts.text(config, "subject");
            recorded.put("subject", subject);
            if (subject == null) {
                throw ActionFailure.permanent("invalid_config", "subject is required");
            }
            if (subject.indexOf('\r') >= 0 || subject.indexOf('\n') >= 0) {
                throw ActionFailure.permanent("invalid_config", "subject must be one line");
            }
            if (subject.length() > MAX_SUBJECT) {
                throw ActionFailure.permanent("invalid_config", "subject is longer than " + MAX_SUBJECT + " characters");
            }
            JsonNode body = config.path("body");
            String html = HttpParts.text(body, "html");
            String text = HttpParts.text(body, "text");
            ObjectNode recordedBody = recorded.putObject("body");
            if (html != null) {
                recordedBody.put("html", html);
            }
            if (text != null) {
                recordedBody.put("text", text);
            }
            if (html == null && text == null) {
                throw ActionFailure.permanent("invalid_config", "body needs html, text, or both");
            }
            if ((html == null ? 0 : html.length()) + (text == null ? 0 : text.length()) > MAX_BODY_CHARS) {
                throw ActionFailure.permanent("invalid_config", "the body is larger than 1 MB");
            }
            String host = HttpParts.text(server, "host");
            int port = server.path("port").asInt(587);
            boolean starttls = server.path("starttls").asBoolean(true);
            recorded.put("server", host + ":" + port);
            Duration timeout = DEFAULT_TIMEOUT;
            JsonNode t = config.get("timeout");
            if (t != null && !t.isNull()) {
                timeout = HttpParts.parseTimeout(t);
                if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                    throw ActionFailure.permanent("invalid_config", "timeout must be a positive number of seconds");
                }
            }
            if (request.timeLeft() != null && request.timeLeft().compareTo(timeout) < 0) {
                timeout = request.timeLeft();
            }
            if (timeout.toMillis() < 1) {
                throw ActionFailure.retryable("no_time_left", "no time left in this invocation to send the email", null);
            }
            String messageId = messageId(request.idempotencyKey(), from);
            MailSender.Result result = mail.send(new MailSender.Server(host, port, starttls, connection.secret("username"),
                    connection.secret("password"), timeout), new MailSender.Message(from, to, cc, subject, html, text, messageId));
            return switch (result) {
                case MailSender.Sent sent -> {
                    if (sent.accepted().isEmpty()) {
                        throw ActionFailure.permanent("rejected", "the SMTP server accepted no recipient (refused: "
                                + String.join(", ", sent.rejected()) + ")");
                    }
                    ObjectNode out = Json.object();
                    out.put("message_id", sent.messageId());
                    out.set("accepted", array(sent.accepted()));
                    out.set("rejected", array(sent.rejected()));
                    yield new ActionResult.Succeeded(out, recorded);
                }
                case MailSender.Failed failed -> failed.retryable()
                        ? ActionFailure.retryable("smtp_" + failed.code(), failed.message(), null).result(recorded)
                        : ActionFailure.permanent("smtp_" + failed.code(), failed.message()).result(recorded);
            };
        } catch (ActionFailure f) {
            return f.result(recorded);
        }
    }

    /** {@code <run-step.kickoff@domain-of-from>}: stable for a step, unique across steps. */
    static String messageId(String idempotencyKey, String from) {
        String domain = from == null || from.indexOf('@') < 0 ? "kickoff.invalid" : from.substring(from.lastIndexOf('@') + 1);
        return "<" + idempotencyKey.replaceAll("[^A-Za-z0-9._-]", "_") + ".kickoff@" + domain + ">";
    }

    private static List<String> addresses(JsonNode node, String field) {
        Set<String> out = new LinkedHashSet<>();
        if (node == null || node.isNull()) {
            return List.of();
        }
        List<String> raw = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> raw.addAll(split(n.asText())));
        } else if (node.isTextual()) {
            raw.addAll(split(node.textValue()));
        } else {
            throw ActionFailure.permanent("invalid_config", field + " must be an email address, a comma-separated list, or an array");
        }
        for (String a : raw) {
            if (!ConnectionRules.isEmail(a)) {
                throw ActionFailure.permanent("invalid_config", field + ": '" + shorten(a) + "' is not an email address");
            }
            out.add(a);
        }
        return List.copyOf(out);
    }

    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return out;
    }

    private static ArrayNode array(List<String> values) {
        ArrayNode a = Json.array();
        values.forEach(a::add);
        return a;
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
