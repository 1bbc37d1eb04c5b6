package dev.kickoff.core.engine;

import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.DeadLetters;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.testing.InMemoryRunStore;
import dev.kickoff.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterIntakeTest {
    static final Instant T0 = Instant.parse("2026-11-23T16:00:00Z");

    /** A dead-letter queue in memory: receive hands out what is left, delete takes it away. */
    static final class Queue implements DeadLetters {
        final List<Letter> letters = new ArrayList<>();

        public List<Letter> receive(int max) {
            return List.copyOf(letters.subList(0, Math.min(max, letters.size())));
        }

        public void delete(Letter letter) {
            letters.remove(letter);
        }
    }

    static Run run(long id, RunStatus status) {
        return new Run(id, 1, 2, 3, false, 4, "api", "ci", "live", Json.object(), null, null, T0, status, null, null,
                List.of(), T0, null, null, 0, null, null);
    }

    @Test
    void listsTheUnfinishedRunsOfItsLettersAndDeletesEveryLetterItDealtWith() {
        InMemoryRunStore runs = new InMemoryRunStore();
        runs.create(run(1, RunStatus.PENDING));
        runs.create(run(2, RunStatus.COMPLETED));
        runs.create(run(3, RunStatus.IN_PROGRESS));
        Queue queue = new Queue();
        for (long id : new long[]{1, 2, 3, 4, 0}) {  // 4: never stored; 0: a body that names no run
            queue.letters.add(new DeadLetters.Letter(id, "h" + id));
        }

        int listed = new DeadLetterIntake(queue, runs, new MutableClock(T0)).takeIn(100, null);

        assertThat(listed).isEqualTo(2);
        assertThat(runs.listed).containsExactlyInAnyOrder(1L, 3L);
        assertThat(queue.letters).isEmpty();
    }

    @Test
    void aLetterWhoseRunCannotBeReadStaysAndTheIntakeIsBounded() {
        InMemoryRunStore runs = new InMemoryRunStore() {
            @Override
            public synchronized boolean watch(long runId, Instant at) {
                if (runId == 7) {
                    throw new IllegalStateException("table unavailable");
                }
                return super.watch(runId, at);
            }
        };
        runs.create(run(8, RunStatus.PENDING));
        Queue queue = new Queue();
        queue.letters.add(new DeadLetters.Letter(7, "h7"));
        queue.letters.add(new DeadLetters.Letter(8, "h8"));

        assertThat(new DeadLetterIntake(queue, runs, new MutableClock(T0)).takeIn(2, null)).isEqualTo(1);
        assertThat(queue.letters).extracting(DeadLetters.Letter::runId).containsExactly(7L);
        assertThat(new DeadLetterIntake(queue, runs, new MutableClock(T0)).takeIn(100, T0))
                .as("nothing after the deadline").isZero();
    }
}
