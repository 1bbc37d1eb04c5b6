package dev.kickoff.core.action;

import dev.kickoff.core.port.MailSender;
import dev.kickoff.core.port.OutboundHttp;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The actions a deployment offers, by name. */
public final class Actions {
    private final Map<String, Action> byName = new LinkedHashMap<>();

    public Actions(List<Action> actions) {
        for (Action a : actions) {
            if (byName.putIfAbsent(a.name(), a) != null) {
                throw new IllegalArgumentException("two actions named " + a.name());
            }
        }
    }

    /**
     * {@code http.request}, {@code stripe.createCustomer}, {@code stripe.createInvoice}, {@code email.send}, plus
     * {@code http} and {@code email} for the step types of those names (the same operations).
     */
    public static Actions standard(OutboundHttp http, MailSender mail, Clock clock) {
        return new Actions(List.of(
                new HttpRequestAction("http.request", http, clock),
                new StripeCreateCustomer(http, clock),
                new StripeCreateInvoice(http, clock),
                new EmailSendAction("email.send", mail),
                new HttpRequestAction("http", http, clock),
                new EmailSendAction("email", mail)));
    }

    public Optional<Action> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The names a definition may use in {@code "action"} ({@code provider.operation}). */
    public List<String> actionNames() {
        return byName.keySet().stream().filter(n -> n.contains(".")).toList();
    }
}
