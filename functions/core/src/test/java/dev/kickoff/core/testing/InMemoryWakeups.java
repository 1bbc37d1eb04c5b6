package dev.kickoff.core.testing;

import dev.kickoff.core.port.Wakeups;
import dev.kickoff.core.run.Run;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/** The Wakeups contract over an {@link InMemoryRunStore}'s wake listing. */
public final class InMemoryWakeups implements Wakeups {
    public static final int PARTITIONS = 4;

    private final InMemoryRunStore runs;

    public InMemoryWakeups(InMemoryRunStore runs) {
        this.runs = runs;
    }

    @Override
    public int partitions() {
        return PARTITIONS;
    }

    @Override
    public List<Due> due(int partition, Instant before, int limit) {
        synchronized (runs) {
            return runs.wakeListed.stream().map(runs.runs::get)
                    .filter(r -> r != null && Math.floorMod(r.id(), PARTITIONS) == partition && r.wakeAt() != null
                            && r.wakeAt().isBefore(before))
                    .sorted(Comparator.comparing(Run::wakeAt)).limit(limit)
                    .map(r -> new Due(r.id(), r.orgId(), r.wakeAt())).toList();
        }
    }
}
