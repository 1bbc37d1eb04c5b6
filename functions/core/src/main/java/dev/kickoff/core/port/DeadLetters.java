package dev.kickoff.core.port;

import java.util.List;

/** Run messages the queue gave up on (its dead-letter queue), taken in so that their runs are not forgotten. */
public interface DeadLetters {
    /** Up to {@code max} dead-lettered messages, each naming a run (0 when its body names none). */
    List<Letter> receive(int max);

    /** The letter is dealt with: it goes. */
    void delete(Letter letter);

    /** @param handle opaque, for {@link #delete} */
    record Letter(long runId, String handle) {
    }
}
