package dev.kickoff.core.webhook;

import java.util.Optional;

/** The events a subscription can ask for, by their wire names. */
public enum WebhookEventType {
    RUN_COMPLETED("run.completed"),
    RUN_FAILED("run.failed"),
    RUN_SUSPENDED("run.suspended"),
    /** A suspended run woke (its wait is over) and goes on. */
    RUN_RESUMED("run.resumed"),
    CASE_CREATED("case.created"),
    CASE_STATUS_CHANGED("case.status_changed");

    private final String wireName;

    WebhookEventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<WebhookEventType> fromWire(String text) {
        for (WebhookEventType t : values()) {
            if (t.wireName.equals(text)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    public static String known() {
        StringBuilder sb = new StringBuilder();
        for (WebhookEventType t : values()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(t.wireName);
        }
        return sb.toString();
    }
}
