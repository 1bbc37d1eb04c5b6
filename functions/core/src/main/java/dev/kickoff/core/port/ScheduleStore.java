package dev.kickoff.core.port;

import dev.kickoff.core.schedule.Schedule;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Managed schedules, per workflow, and the wake-up index of their next fires: a schedule waiting for a fire is listed
 * by that fire's time (the same sparse index as long waits, under keys of its own), found without a scan by the
 * sweep that sends the fires due soon. Every write is conditional: an edit on the version it read, a fire's outcome on
 * the schedule still waiting for that fire.
 */
public interface ScheduleStore {
    /**
     * Stores a new schedule if its workflow has fewer than {@code maxPerWorkflow} (counted exactly, in the same
     * transaction); false when it has that many. {@link DuplicateIdException} when the ID is taken.
     */
    boolean create(Schedule schedule, int maxPerWorkflow);

    Optional<Schedule> find(long orgId, long workflowId, long scheduleId);

    /** A workflow's schedules, oldest first. */
    List<Schedule> list(long orgId, long workflowId);

    /**
     * Writes the API-owned fields of {@code edited} and its next fire, if the stored version is still
     * {@code edited.version() - 1}; false when another edit (or a delete) got there first.
     */
    boolean update(Schedule edited);

    /** Deletes a schedule (and gives its place in the workflow's count back); false when there was none. */
    boolean delete(long orgId, long workflowId, long scheduleId);

    /**
     * Records what the fire at {@code fireTime} came to ({@code fires}, newest first) and moves the wait on to
     * {@code next} (null: none), only if the schedule still waits for {@code fireTime}; false otherwise (the fire was
     * handled already, or the schedule was edited, paused or deleted meanwhile).
     */
    boolean advance(Schedule current, Instant fireTime, Instant next, List<Schedule.Fire> fires);

    /**
     * Records a fire's outcome without moving the wait (the schedule was edited while the fire was handled), unless
     * the schedule is gone or already shows a fire at or after this one.
     */
    void record(Schedule current, List<Schedule.Fire> fires);

    int partitions();

    /**
     * Up to {@code limit} fires of one index partition due before {@code before}, soonest first, starting after
     * {@code after} (null: from the soonest). The index may lag (a GSI): an entry is a hint, which the fire's handler
     * checks against the schedule.
     */
    List<Due> due(int partition, Instant before, Due after, int limit);

    record Due(long orgId, long workflowId, long scheduleId, Instant fireTime) {
    }
}
