package dev.kickoff.core.run;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * A signal a client sent to a run ({@code POST …/runs/{run_id}/signals}): kept on the run until a
 * {@code wait_for_signal} step of its {@code name} takes it, whose output its {@code payload} becomes. Kept signals
 * are taken oldest first, one per step.
 *
 * @param id a keyed signal's ID is derived from its idempotency key (a repeat is recognised by it); an unkeyed one's
 *           is random
 */
public record RunSignal(String id, String name, JsonNode payload, Instant receivedAt) {
    public RunSignal {
        if (id == null || id.isBlank() || name == null || name.isBlank()) {
            throw new IllegalArgumentException("a signal has an ID and a name");
        }
    }
}
