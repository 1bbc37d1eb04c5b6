package dev.kickoff.core.workflow;

import java.util.Locale;
import java.util.Optional;

/** How a workflow is fed: started by API/schedule, by direct case creation, or by ticket events. */
public enum WorkflowKind {
    STANDARD,
    DIRECT_CASE,
    TICKETING;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<WorkflowKind> fromWire(String text) {
        for (WorkflowKind k : values()) {
            if (k.wireName().equals(text)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
