package dev.kickoff.core.testing;

import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.ScheduleStore;
import dev.kickoff.core.schedule.Schedule;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Schedules in memory, with the DynamoDB adapter's conditions (the same checks, so the core's tests mean something). */
public final class InMemoryScheduleStore implements ScheduleStore {
    public static final int PARTITIONS = 4;
    public final Map<Long, Schedule> schedules = new ConcurrentHashMap<>();
    /** The fire time each schedule last recorded an outcome for (the record condition). */
    final Map<Long, Instant> lastRecorded = new ConcurrentHashMap<>();
    /** Fails the next advance with this error (a crash between the run and the schedule's write). */
    public volatile Error failNextAdvance;

    @Override
    public synchronized boolean create(Schedule schedule, int maxPerWorkflow) {
        if (schedules.containsKey(schedule.id())) {
            throw new DuplicateIdException("schedule " + schedule.id());
        }
        long count = schedules.values().stream().filter(s -> s.orgId() == schedule.orgId()
                && s.workflowId() == schedule.workflowId()).count();
        if (count >= maxPerWorkflow) {
            return false;
        }
        schedules.put(schedule.id(), schedule);
        return true;
    }

    @Override
    public Optional<Schedule> find(long orgId, long workflowId, long scheduleId) {
        return Optional.ofNullable(schedules.get(scheduleId))
                .filter(s -> s.orgId() == orgId && s.workflowId() == workflowId);
    }

    @Override
    public List<Schedule> list(long orgId, long workflowId) {
        return schedules.values().stream().filter(s -> s.orgId() == orgId && s.workflowId() == workflowId)
                .sorted(Comparator.comparingLong(Schedule::id)).toList();
    }

    @Override
    public synchronized boolean update(Schedule edited) {
        Schedule current = schedules.get(edited.id());
        if (current == null || current.version() != edited.version() - 1) {
            return false;
        }
        schedules.put(edited.id(), new Schedule(current.id(), current.orgId(), current.workflowId(),
                edited.expression(), edited.timezone(), edited.input(), edited.description(), edited.status(),
                edited.anchor(), current.createdAt(), edited.updatedAt(), edited.version(), edited.nextFireAt(),
                current.lastFiredAt(), current.lastRunId(), current.recentFires(), current.counts()));
        return true;
    }

    @Override
    public synchronized boolean delete(long orgId, long workflowId, long scheduleId) {
        return find(orgId, workflowId, scheduleId).map(s -> schedules.remove(scheduleId) != null).orElse(false);
    }

    @Override
    public synchronized boolean advance(Schedule read, Instant fireTime, Instant next, List<Schedule.Fire> fires) {
        Error crash = failNextAdvance;
        if (crash != null) {
            failNextAdvance = null;
            throw crash;
        }
        Schedule current = schedules.get(read.id());
        if (current == null || !fireTime.equals(current.nextFireAt())) {
            return false;
        }
        schedules.put(read.id(), recorded(current, fires, next, true));
        lastRecorded.put(read.id(), fireTime);
        return true;
    }

    @Override
    public synchronized void record(Schedule read, List<Schedule.Fire> fires) {
        Schedule current = schedules.get(read.id());
        Instant fireTime = fires.getLast().fireTime();
        Instant last = lastRecorded.get(read.id());
        if (current == null || (last != null && !fireTime.isAfter(last))) {
            return;
        }
        schedules.put(read.id(), recorded(current, fires, current.nextFireAt(), false));
        lastRecorded.put(read.id(), fireTime);
    }

    private static Schedule recorded(Schedule current, List<Schedule.Fire> fires, Instant next, boolean move) {
        List<Schedule.Fire> recent = new ArrayList<>(fires);
        recent.addAll(current.recentFires());
        long started = current.counts().started();
        long failed = current.counts().failed();
        long skipped = current.counts().skipped();
        long missed = current.counts().missed();
        Instant lastFired = current.lastFiredAt();
        Long lastRun = current.lastRunId();
        for (Schedule.Fire f : fires) {
            switch (f.outcome()) {
                case Schedule.Fire.STARTED -> started++;
                case Schedule.Fire.FAILED -> failed++;
                case Schedule.Fire.SKIPPED -> skipped++;
                default -> missed += f.count();
            }
            if (!Schedule.Fire.MISSED.equals(f.outcome())) {
                lastFired = f.fireTime();
                lastRun = f.runId();
            }
        }
        return new Schedule(current.id(), current.orgId(), current.workflowId(), current.expression(),
                current.timezone(), current.input(), current.description(), current.status(), current.anchor(),
                current.createdAt(), current.updatedAt(), current.version(), move ? next : current.nextFireAt(),
                lastFired, lastRun, recent.subList(0, Math.min(recent.size(), Schedule.RECENT_FIRES)),
                new Schedule.Counts(started, failed, skipped, missed));
    }

    @Override
    public int partitions() {
        return PARTITIONS;
    }

    @Override
    public List<Due> due(int partition, Instant before, Due after, int limit) {
        Comparator<Due> order = Comparator.comparing(Due::fireTime).thenComparingLong(Due::scheduleId);
        return schedules.values().stream()
                .filter(s -> Math.floorMod(s.id(), PARTITIONS) == partition && s.nextFireAt() != null
                        && s.active() && s.nextFireAt().isBefore(before))
                .map(s -> new Due(s.orgId(), s.workflowId(), s.id(), s.nextFireAt()))
                .filter(d -> after == null || order.compare(d, after) > 0)
                .sorted(order).limit(limit).toList();
    }
}
