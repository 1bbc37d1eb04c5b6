package dev.kickoff.core.engine;

import dev.kickoff.core.port.DeadLetters;
import dev.kickoff.core.port.RunStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;

/**
 * Takes in the run messages the queue dead-lettered and lists their runs among the active runs, where the sweeper
 * decides what to do with them (queue again, or give up). A plain run is listed only from its first redelivery
 * that reaches a worker; when no delivery ever does (an invocation that dies at start-up, throttling that uses up
 * the receives, a broken deploy), this is what keeps the run from being forgotten. A letter is deleted once its run
 * is listed, already listed, finished or absent; one whose run could not be read stays for a later sweep.
 */
public final class DeadLetterIntake {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterIntake.class);

    private final DeadLetters letters;
    private final RunStore runs;
    private final Clock clock;

    public DeadLetterIntake(DeadLetters letters, RunStore runs, Clock clock) {
        this.letters = letters;
        this.runs = runs;
        this.clock = clock;
    }

    /**
     * @param max      letters taken in at most
     * @param deadline none is taken after it (null: no deadline)
     * @return how many runs this listed
     */
    public int takeIn(int max, Instant deadline) {
        int listed = 0;
        int seen = 0;
        while (seen < max && (deadline == null || clock.instant().isBefore(deadline))) {
            var batch = letters.receive(Math.min(10, max - seen));
            if (batch.isEmpty()) {
                break;
            }
            for (DeadLetters.Letter letter : batch) {
                seen++;
                try {
                    if (letter.runId() > 0 && runs.watch(letter.runId(), clock.instant())) {
                        listed++;
                        LOG.warn("run {} was dead-lettered; listed for the sweeper", letter.runId());
                    }
                    letters.delete(letter);
                } catch (RuntimeException e) {
                    LOG.warn("dead-lettered run {} could not be listed ({}); its message stays for a later sweep",
                            letter.runId(), e.toString());
                }
            }
        }
        return listed;
    }
}
