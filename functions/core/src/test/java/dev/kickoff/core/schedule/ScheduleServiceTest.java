package dev.kickoff.core.schedule;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The management API's schedules, in memory: what is checked before anything is stored, and what is stored. */
class ScheduleServiceTest {
    ScheduleFixture f = new ScheduleFixture(Instant.parse("2026-12-24T08:58:30Z"));
    long report = f.publish(ScheduleFixture.REPORT);

    @Test
    void aNewScheduleIsActiveWithItsNextFiresInItsZone() {
        Schedule s = f.create(report, """
                {"expression": "cron(0 9 ? * MON-FRI *)", "timezone": "Europe/Berlin", "input": {"team": "ops"},
                 "description": "weekday report"}""");
        assertThat(s.status()).isEqualTo(Schedule.Status.ACTIVE);
        assertThat(s.nextFireAt()).isEqualTo(Instant.parse("2026-12-25T08:00:00Z"));
        ObjectNode json = ScheduleService.render(s, f.clock.instant());
        assertThat(json.get("next_fire_times").toString()).isEqualTo("[\"2026-12-25T09:00:00+01:00\","
                + "\"2026-12-28T09:00:00+01:00\",\"2026-12-29T09:00:00+01:00\",\"2026-12-30T09:00:00+01:00\","
                + "\"2026-12-31T09:00:00+01:00\"]");
        assertThat(json.get("status").asText()).isEqualTo("active");
        assertThat(json.get("last_fired_at").isNull()).isTrue();
        assertThat(json.get("input").toString()).isEqualTo("{\"team\":\"ops\"}");
        assertThat(f.sent).isEmpty();  // its first fire is a day away: the sweep sends it
    }

    @Test
    void aFireDueWithinTheLookAheadIsSentAtOnceHeldBackToItsTime() {
        Schedule s = f.create(report, "{\"expression\": \"cron(0 9 * * ? *)\", \"input\": {\"team\": \"ops\"}}");
        assertThat(s.nextFireAt()).isEqualTo(Instant.parse("2026-12-24T09:00:00Z"));
        assertThat(f.sent).singleElement().satisfies(p -> {
            assertThat(p.scheduleId()).isEqualTo(s.id());
            assertThat(p.fireTime()).isEqualTo(s.nextFireAt());
            assertThat(p.delay()).isEqualTo(Duration.ofSeconds(90));
        });
    }

    @Test
    void aRateFiresAtOnceAsASchedulerRateScheduleWithoutAStartDateDoes() {
        Schedule s = f.create(report, "{\"expression\": \"rate(5 minutes)\", \"input\": {\"team\": \"ops\"}}");
        assertThat(s.nextFireAt()).isEqualTo(f.clock.instant());
        assertThat(s.nextFires(f.clock.instant(), 2)).containsExactly(f.clock.instant(),
                f.clock.instant().plus(Duration.ofMinutes(5)));
        assertThat(f.sent).singleElement().satisfies(p -> assertThat(p.delay()).isZero());
    }

    @Test
    void everyProblemIsA422WithAPointer() {
        assertThatThrownBy(() -> f.create(report, """
                {"expression": "cron(0 9 * * MON *)", "timezone": "Mars/Olympus", "input": [], "description": 5,
                 "status": "sleeping"}"""))
                .isInstanceOfSatisfying(KickoffException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.VALIDATION_FAILED);
                    assertThat(e.details()).extracting(FieldError::path).containsExactlyInAnyOrder("/expression",
                            "/timezone", "/input", "/description", "/status");
                });
        assertThatThrownBy(() -> f.create(report, "{\"timezone\": \"UTC\"}"))
                .isInstanceOfSatisfying(KickoffException.class, e -> assertThat(e.details())
                        .extracting(FieldError::path).containsExactly("/expression"));
        assertThatThrownBy(() -> f.create(report, "{\"expression\": \"rate(5 minutes)\", \"timezone\": \"+02:00\"}"))
                .isInstanceOfSatisfying(KickoffException.class, e -> assertThat(e.details())
                        .extracting(FieldError::path).containsExactly("/timezone"));
        assertThatThrownBy(() -> f.create(report, "{\"expression\": \"rate(5 minutes)\", \"when\": 1}"))
                .isInstanceOfSatisfying(KickoffException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_BODY_KEY);
                    assertThat(e.details()).extracting(FieldError::path).containsExactly("/when");
                });
        assertThat(f.schedules.schedules).isEmpty();
    }

    @Test
    void anExpressionThatNeverFiresAgainIsRefused() {
        for (String expression : new String[]{"at(2026-12-24T08:00:00)", "cron(0 0 * * ? 2025)",
                "cron(0 0 30 FEB ? *)"}) {
            assertThatThrownBy(() -> f.create(report, "{\"expression\": \"" + expression + "\", \"input\": {\"team\": \"a\"}}"))
                    .as(expression).isInstanceOfSatisfying(KickoffException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.VALIDATION_FAILED);
                        assertThat(e.details()).extracting(FieldError::path).containsExactly("/expression");
                        assertThat(e.details().getFirst().message()).contains("never fires");
                    });
        }
        assertThatThrownBy(() -> f.create(report, """
                {"expression": "at(2027-03-28T02:30:00)", "timezone": "Europe/Berlin", "input": {"team": "a"}}"""))
                .isInstanceOfSatisfying(KickoffException.class, e -> assertThat(e.details().getFirst().message())
                        .contains("does not exist in Europe/Berlin"));
    }

    @Test
    void theInputIsCheckedAgainstTheInputSchemaWithPointersIntoTheBody() {
        assertThatThrownBy(() -> f.create(report, "{\"expression\": \"rate(1 hour)\", \"input\": {\"days\": 0}}"))
                .isInstanceOfSatisfying(KickoffException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.INPUT_VALIDATION_FAILED);
                    assertThat(e.details()).extracting(FieldError::path).containsExactlyInAnyOrder("/input/team",
                            "/input/days");
                });
    }

    @Test
    void caseAndTicketingWorkflowsCannotBeScheduledAndAnotherOrgsWorkflowIsNotFound() {
        long cases = f.publish("""
                {"name": "cases", "kind": "direct_case", "steps": [{"id": "a", "type": "set_case",
                 "config": {"status": "Closed"}}]}""");
        assertThatThrownBy(() -> f.create(cases, "{\"expression\": \"rate(1 hour)\"}"))
                .isInstanceOfSatisfying(KickoffException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.WORKFLOW_NOT_TRIGGERABLE));
        assertThatThrownBy(() -> f.service.create(ScheduleFixture.ORG + 1, report,
                (ObjectNode) Json.parse("{\"expression\": \"rate(1 hour)\"}")))
                .isInstanceOfSatisfying(KickoffException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.WORKFLOW_NOT_FOUND));
    }

    @Test
    void aWorkflowHasAtMostOneHundredSchedules() {
        for (int i = 0; i < ScheduleService.MAX_PER_WORKFLOW; i++) {
            f.create(report, "{\"expression\": \"cron(" + (i % 60) + " 10 * * ? *)\", \"input\": {\"team\": \"a\"}}");
        }
        assertThatThrownBy(() -> f.create(report, "{\"expression\": \"rate(1 hour)\", \"input\": {\"team\": \"a\"}}"))
                .isInstanceOfSatisfying(KickoffException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.VALIDATION_FAILED);
                    assertThat(e.getMessage()).contains("at most 100 schedules");
                });
        assertThat(f.service.list(ScheduleFixture.ORG, report)).hasSize(100);
    }

    @Test
    void pausingTakesTheScheduleOutOfTheIndexAndResumingPutsItBackAfterNow() {
        Schedule s = f.create(report, "{\"expression\": \"cron(0 9 * * ? *)\", \"input\": {\"team\": \"ops\"}}");
        Schedule paused = f.service.update(ScheduleFixture.ORG, report, s.id(),
                (ObjectNode) Json.parse("{\"status\": \"paused\"}"));
        assertThat(paused.nextFireAt()).isNull();
        assertThat(paused.version()).isEqualTo(2);
        assertThat(ScheduleService.render(paused, f.clock.instant()).get("next_fire_times")).isEmpty();
        for (int p = 0; p < f.schedules.partitions(); p++) {
            assertThat(f.schedules.due(p, Instant.parse("2100-01-01T00:00:00Z"), null, 10)).isEmpty();
        }
        f.clock.advance(Duration.ofHours(1));
        Schedule resumed = f.service.update(ScheduleFixture.ORG, report, s.id(),
                (ObjectNode) Json.parse("{\"status\": \"active\"}"));
        assertThat(resumed.nextFireAt()).isEqualTo(Instant.parse("2026-12-25T09:00:00Z"));
    }

    @Test
    void editingTheExpressionTimezoneOrInputAppliesWhatTheBodyNames() {
        Schedule s = f.create(report, "{\"expression\": \"cron(0 9 * * ? *)\", \"input\": {\"team\": \"ops\"},"
                + " \"description\": \"keep\"}");
        Schedule moved = f.service.update(ScheduleFixture.ORG, report, s.id(),
                (ObjectNode) Json.parse("{\"timezone\": \"America/New_York\"}"));
        assertThat(moved.nextFireAt()).isEqualTo(Instant.parse("2026-12-24T14:00:00Z"));
        assertThat(moved.description()).isEqualTo("keep");
        assertThatThrownBy(() -> f.service.update(ScheduleFixture.ORG, report, s.id(),
                (ObjectNode) Json.parse("{\"input\": {\"team\": 5}}")))
                .isInstanceOfSatisfying(KickoffException.class, e -> assertThat(e.details())
                        .extracting(FieldError::path).containsExactly("/input/team"));
        Schedule input = f.service.update(ScheduleFixture.ORG, report, s.id(),
                (ObjectNode) Json.parse("{\"input\": {\"team\": \"dev\"}, \"description\": null}"));
        assertThat(input.input().toString()).isEqualTo("{\"team\":\"dev\"}");
        assertThat(input.description()).isNull();
        assertThat(input.nextFireAt()).isEqualTo(moved.nextFireAt());
        assertThatThrownBy(() -> f.service.update(ScheduleFixture.ORG, report, s.id(), (ObjectNode) Json.parse("{}")))
                .isInstanceOfSatisfying(KickoffException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.VALIDATION_FAILED));
    }

    @Test
    void deletingIsFinalAndUnknownSchedulesAreNotFound() {
        Schedule s = f.create(report, "{\"expression\": \"rate(1 hour)\", \"input\": {\"team\": \"ops\"}}");
        f.service.delete(ScheduleFixture.ORG, report, s.id());
        for (Runnable r : new Runnable[]{
                () -> f.service.get(ScheduleFixture.ORG, report, s.id()),
                () -> f.service.delete(ScheduleFixture.ORG, report, s.id()),
                () -> f.service.get(ScheduleFixture.ORG + 1, report, s.id())}) {
            assertThatThrownBy(r::run).isInstanceOfSatisfying(KickoffException.class,
                    e -> assertThat(e.reason()).isEqualTo(Reason.SCHEDULE_NOT_FOUND));
        }
    }
}
