package dev.kickoff.core.testing;

import dev.kickoff.core.port.UsageStore;
import dev.kickoff.core.run.RunStatus;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Metering in memory, with the adapter's condition on the marker. */
public final class InMemoryUsageStore implements UsageStore {
    public final Map<Long, Marker> markers = new ConcurrentHashMap<>();
    /** The cost each run shows, and the finish it is of. */
    public final Map<Long, BigDecimal> runCosts = new ConcurrentHashMap<>();
    final Map<Long, Integer> runCostFinishes = new ConcurrentHashMap<>();
    public final List<Meter> applied = new ArrayList<>();

    @Override
    public Optional<Marker> marker(long runId) {
        return Optional.ofNullable(markers.get(runId));
    }

    @Override
    public synchronized boolean meter(Meter m) {
        Marker current = markers.get(m.runId());
        int finishes = current == null ? 0 : current.finishes();
        if (finishes != m.previous()) {
            return false;
        }
        markers.put(m.runId(), new Marker(m.finish(), m.finishedAt(), m.totalCost()));
        applied.add(m);
        return true;
    }

    @Override
    public synchronized void priceRun(long runId, int finish, BigDecimal totalCost) {
        Integer shown = runCostFinishes.get(runId);
        if (shown == null || shown < finish) {
            runCosts.put(runId, totalCost);
            runCostFinishes.put(runId, finish);
        }
    }

    @Override
    public synchronized Counters report(long orgId, YearMonth month, Integer day) {
        Map<Long, Counter> by = new java.util.TreeMap<>();
        Map<Integer, DayCounter> days = new java.util.TreeMap<>();
        for (Meter m : applied) {
            LocalDate d = LocalDate.ofInstant(m.finishedAt(), ZoneOffset.UTC);
            if (m.orgId() != orgId || !YearMonth.from(d).equals(month) || (day != null && d.getDayOfMonth() != day)) {
                continue;
            }
            long run = m.countsRun() ? 1 : 0;
            Counter c = by.getOrDefault(m.workflowId(), new Counter(m.workflowId(), 0, 0, 0, 0, BigDecimal.ZERO));
            by.put(m.workflowId(), new Counter(m.workflowId(), c.runs() + run,
                    c.stepExecutions() + m.usage().steps(), c.stepMs() + m.usage().stepMs(),
                    c.outboundRequests() + m.usage().outboundRequests(), c.costCents().add(m.cost())));
            int dd = d.getDayOfMonth();
            DayCounter t = days.getOrDefault(dd, new DayCounter(dd, 0, 0, 0, BigDecimal.ZERO));
            days.put(dd, new DayCounter(dd, t.runs() + run,
                    t.completed() + (m.status() == RunStatus.COMPLETED ? run : 0),
                    t.failed() + (m.status() == RunStatus.FAILED ? run : 0), t.costCents().add(m.cost())));
        }
        return new Counters(new ArrayList<>(by.values()), new ArrayList<>(days.values()));
    }

    @Override
    public long monthRuns(long orgId, YearMonth month) {
        return read(orgId, month, null).stream().mapToLong(Counter::runs).sum();
    }

    public static Instant at(String text) {
        return Instant.parse(text);
    }
}
