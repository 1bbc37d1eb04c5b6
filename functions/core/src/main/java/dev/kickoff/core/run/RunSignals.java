package dev.kickoff.core.run;

import java.util.List;
import java.util.Set;

/**
 * What a run holds of signals: the ones {@code kept} (received, not taken by a step yet; oldest first), the signal it
 * is {@code awaited} while suspended at a {@code wait_for_signal} step (null otherwise), and the {@code keys}: the IDs
 * of every signal sent with an idempotency key that reached it, so that a repeat changes nothing.
 */
public record RunSignals(List<RunSignal> kept, String awaited, Set<String> keys) {
    public static final RunSignals NONE = new RunSignals(List.of(), null, Set.of());

    /** Signals kept at most: a run's item must stay small (with {@link #MAX_PAYLOAD_BYTES}, 80 KB at most). */
    public static final int MAX_KEPT = 10;
    /** Signals with an idempotency key a run takes in its life at most (their IDs stay on the run). */
    public static final int MAX_KEYS = 100;
    /** A signal's payload, as JSON text, at most. */
    public static final int MAX_PAYLOAD_BYTES = 8 * 1024;

    public RunSignals {
        kept = kept == null ? List.of() : List.copyOf(kept);
        keys = keys == null ? Set.of() : Set.copyOf(keys);
    }

    /** The oldest kept signal named {@code name}, or null. */
    public RunSignal first(String name) {
        for (RunSignal s : kept) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** Its position among the kept signals (-1: not kept). */
    public int indexOf(String signalId) {
        for (int i = 0; i < kept.size(); i++) {
            if (kept.get(i).id().equals(signalId)) {
                return i;
            }
        }
        return -1;
    }

    public RunSignals without(String signalId) {
        return new RunSignals(kept.stream().filter(s -> !s.id().equals(signalId)).toList(), awaited, keys);
    }

    public RunSignals awaiting(String name) {
        return new RunSignals(kept, name, keys);
    }
}
