package dev.kickoff.core.run;

import java.time.Instant;

/**
 * How a run was started, as the canonical run shows it ({@code trigger}): {@code api} (an API token, any API shape,
 * replays included: {@code token_id}), {@code case} (a case's creation started it: {@code case_id} and the token's
 * {@code token_id}) or {@code schedule} (a managed schedule's fire: {@code schedule_id} and {@code fire_time}).
 */
public record RunTrigger(String type, Long tokenId, Long caseId, Long scheduleId, Instant fireTime) {
    public static final String API = "api";
    public static final String CASE = "case";
    public static final String SCHEDULE = "schedule";

    static RunTrigger of(Run run) {
        if (SCHEDULE.equals(run.triggerType())) {
            return new RunTrigger(SCHEDULE, null, null, run.triggerId(), run.fireTime());
        }
        if (run.caseId() != null) {
            return new RunTrigger(CASE, run.triggerId(), run.caseId(), null, null);
        }
        return new RunTrigger(API, run.triggerId(), null, null, null);
    }
}
