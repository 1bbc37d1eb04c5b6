package dev.kickoff.core.connection;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Who a connection talks to. */
public enum Provider {
    STRIPE, SMTP, HTTP;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Provider> fromWire(String name) {
        return Arrays.stream(values()).filter(p -> p.wireName().equals(name)).findFirst();
    }

    public static String known() {
        return Arrays.stream(values()).map(Provider::wireName).collect(Collectors.joining(", "));
    }
}
