package dev.kickoff.core.schedule;

import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunService;
import dev.kickoff.core.run.RunTrigger;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One fire, one run: the fire handler over in-memory stores, on a clock the test moves. */
class ScheduleFirerTest {
    ScheduleFixture f = new ScheduleFixture(Instant.parse("2026-12-24T08:30:00Z"));
    long report = f.publish(ScheduleFixture.REPORT);

    Schedule daily() {
        return f.create(report, "{\"expression\": \"cron(0 9 * * ? *)\", \"input\": {\"team\": \"ops\"}}");
    }

    @Test
    void aFireStartsOneRunOfThePublishedVersionAndMovesTheScheduleOn() {
        Schedule s = daily();
        Instant fire = Instant.parse("2026-12-24T09:00:00Z");
        f.clock.advance(Duration.ofMinutes(30));
        var result = (ScheduleFirer.Result.Done) f.fire(s, fire);
        assertThat(result.outcome()).isEqualTo("started");
        Run run = f.runs.runs.get(result.runId());
        assertThat(run.trigger()).isEqualTo(new RunTrigger("schedule", null, null, s.id(), fire));
        assertThat(run.triggerType()).isEqualTo("schedule");
        assertThat(run.input().toString()).isEqualTo("{\"team\":\"ops\",\"days\":1}");  // the schema's default applied
        assertThat(f.queued).containsExactly(run.id());
        Schedule after = f.read(s);
        assertThat(after.nextFireAt()).isEqualTo(Instant.parse("2026-12-25T09:00:00Z"));
        assertThat(after.lastFiredAt()).isEqualTo(fire);
        assertThat(after.lastRunId()).isEqualTo(run.id());
        assertThat(after.counts()).isEqualTo(new Schedule.Counts(1, 0, 0, 0));
        assertThat(after.recentFires()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo("started");
            assertThat(r.runId()).isEqualTo(run.id());
        });
    }

    @Test
    void aFireDeliveredTwiceStartsOneRun() {
        Schedule s = daily();
        Instant fire = Instant.parse("2026-12-24T09:00:00Z");
        f.clock.advance(Duration.ofMinutes(30));
        f.fire(s, fire);
        var second = (ScheduleFirer.Result.Done) f.fire(s, fire);
        assertThat(second.outcome()).isEqualTo("stale");
        assertThat(f.runs.runs).hasSize(1);
        assertThat(f.queued).hasSize(1);
        assertThat(f.read(s).counts().started()).isEqualTo(1);
    }

    @Test
    void aFireWhoseHandlerDiedAfterStartingTheRunStartsNoSecondOneWhenItIsDeliveredAgain() {
        Schedule s = daily();
        Instant fire = Instant.parse("2026-12-24T09:00:00Z");
        f.clock.advance(Duration.ofMinutes(30));
        f.schedules.failNextAdvance = new OutOfMemoryError("the function died after starting the run");
        assertThatThrownBy(() -> f.fire(s, fire)).isInstanceOf(OutOfMemoryError.class);
        assertThat(f.runs.runs).hasSize(1);
        assertThat(f.read(s).nextFireAt()).isEqualTo(fire);  // still waiting for it: the message comes back
        f.clock.advance(Duration.ofMinutes(3));  // the queue's visibility timeout
        var again = (ScheduleFirer.Result.Done) f.fire(s, fire);
        assertThat(again.outcome()).isEqualTo("started");
        assertThat(f.runs.runs).hasSize(1);
        assertThat(again.runId()).isEqualTo(f.runs.runs.keySet().iterator().next());
        assertThat(f.read(s).nextFireAt()).isEqualTo(Instant.parse("2026-12-25T09:00:00Z"));
        assertThat(f.read(s).counts().started()).isEqualTo(1);
    }

    @Test
    void aRefusingQueueIsTransientTheFireIsDeliveredAgainAndStillStartsOneRun() {
        Schedule s = daily();
        Instant fire = Instant.parse("2026-12-24T09:00:00Z");
        f.clock.advance(Duration.ofMinutes(30));
        f.queueDown = true;
        assertThatThrownBy(() -> f.fire(s, fire)).isInstanceOf(RuntimeException.class);
        assertThat(f.read(s).nextFireAt()).isEqualTo(fire);
        f.queueDown = false;
        f.fire(s, fire);
        assertThat(f.runs.runs).hasSize(1);
        assertThat(f.read(s).counts()).isEqualTo(new Schedule.Counts(1, 0, 0, 0));
    }

    @Test
    void anEarlyMessageIsKeptUntilTheFireIsDue() {
        Schedule s = daily();
        var result = f.fire(s, Instant.parse("2026-12-24T09:00:00Z"));
        assertThat(result).isEqualTo(new ScheduleFirer.Result.NotYet(Duration.ofMinutes(30)));
        assertThat(f.runs.runs).isEmpty();
    }

    @Test
    void anInputTheWorkflowNoLongerAcceptsIsAFailedFireRecordedOnTheSchedule() {
        Schedule s = daily();
        // A new version now requires a field the schedule's input does not have.
        f.workflowService.update(ScheduleFixture.ORG, report, Json.parse(ScheduleFixture.REPORT
                .replace("\"required\": [\"team\"]", "\"required\": [\"team\", \"region\"]")));
        f.workflowService.publish(ScheduleFixture.ORG, report, null);
        f.clock.advance(Duration.ofMinutes(30));
        var result = (ScheduleFirer.Result.Done) f.fire(s, Instant.parse("2026-12-24T09:00:00Z"));
        assertThat(result.outcome()).isEqualTo("failed");
        assertThat(f.runs.runs).isEmpty();
        Schedule after = f.read(s);
        assertThat(after.counts()).isEqualTo(new Schedule.Counts(0, 1, 0, 0));
        assertThat(after.nextFireAt()).isEqualTo(Instant.parse("2026-12-25T09:00:00Z"));
        assertThat(after.recentFires()).singleElement().satisfies(r -> {
            assertThat(r.code()).isEqualTo("input_validation_failed");
            assertThat(r.message()).contains("/region");
        });
    }

    @Test
    void pastTheMonthlyRunQuotaAFireIsSkippedAndRecorded() {
        f.billing.setMonthlyRunQuota(ScheduleFixture.ORG, 0L);
        Schedule s = daily();
        f.clock.advance(Duration.ofMinutes(30));
        var result = (ScheduleFirer.Result.Done) f.fire(s, Instant.parse("2026-12-24T09:00:00Z"));
        assertThat(result.outcome()).isEqualTo("skipped");
        assertThat(f.runs.runs).isEmpty();
        assertThat(f.read(s).counts()).isEqualTo(new Schedule.Counts(0, 0, 1, 0));
        assertThat(f.read(s).recentFires().getFirst().code()).isEqualTo("quota_exceeded");
        assertThat(f.read(s).nextFireAt()).isEqualTo(Instant.parse("2026-12-25T09:00:00Z"));
    }

    @Test
    void aPausedEditedOrDeletedScheduleDropsTheFireItWasSent() {
        Schedule s = daily();
        Instant fire = Instant.parse("2026-12-24T09:00:00Z");
        f.service.update(ScheduleFixture.ORG, report, s.id(), (com.fasterxml.jackson.databind.node.ObjectNode)
                Json.parse("{\"status\": \"paused\"}"));
        f.clock.advance(Duration.ofMinutes(30));
        assertThat(((ScheduleFirer.Result.Done) f.fire(s, fire)).outcome()).isEqualTo("stale");
        f.service.delete(ScheduleFixture.ORG, report, s.id());
        assertThat(((ScheduleFirer.Result.Done) f.fire(s, fire)).outcome()).isEqualTo("deleted");
        assertThat(f.runs.runs).isEmpty();
    }

    @Test
    void missedFiresWhileKickoffWasDownRunOnceForTheOldestAndAreCounted() {
        Schedule s = f.create(report, "{\"expression\": \"rate(5 minutes)\", \"input\": {\"team\": \"ops\"}}");
        Instant first = s.nextFireAt();
        // Down for two hours: the first sweep afterwards sends the fire the schedule waits for, two hours late.
        f.clock.advance(Duration.ofHours(2).plusSeconds(10));
        var result = (ScheduleFirer.Result.Done) f.fire(s, first);
        assertThat(result.outcome()).isEqualTo("started");
        assertThat(f.runs.runs).hasSize(1);
        assertThat(f.runs.runs.get(result.runId()).fireTime()).isEqualTo(first);
        Schedule after = f.read(s);
        assertThat(after.counts()).isEqualTo(new Schedule.Counts(1, 0, 0, 24));
        assertThat(after.nextFireAt()).isEqualTo(first.plus(Duration.ofMinutes(125)));
        assertThat(after.recentFires()).extracting(Schedule.Fire::outcome).containsExactly("missed", "started");
        assertThat(after.recentFires().getFirst().count()).isEqualTo(24);
        assertThat(after.recentFires().getFirst().fireTime()).isEqualTo(first.plus(Duration.ofMinutes(5)));
    }

    @Test
    void aFireMoreThanADayLateStartsNothing() {
        Schedule s = daily();
        Instant fire = Instant.parse("2026-12-24T09:00:00Z");
        f.clock.advance(Duration.ofDays(3));  // now 2026-12-27T08:30Z
        var result = (ScheduleFirer.Result.Done) f.fire(s, fire);
        assertThat(result.outcome()).isEqualTo("missed");
        assertThat(f.runs.runs).isEmpty();
        Schedule after = f.read(s);
        assertThat(after.counts()).isEqualTo(new Schedule.Counts(0, 0, 0, 3));  // the 24th, 25th and 26th
        assertThat(after.nextFireAt()).isEqualTo(Instant.parse("2026-12-27T09:00:00Z"));
        assertThat(after.lastFiredAt()).isNull();
    }

    @Test
    void theSweepSendsWhatIsDueWithinTwoMinutesHeldBackToItsTime() {
        Schedule soon = daily();  // 09:00Z, 30 minutes away
        Schedule later = f.create(report, "{\"expression\": \"cron(0 12 * * ? *)\", \"input\": {\"team\": \"a\"}}");
        f.sent.clear();
        assertThat(f.sweep.sweep(null)).isZero();
        f.clock.advance(Duration.ofMinutes(28).plusSeconds(30));  // 08:58:30
        assertThat(f.sweep.sweep(null)).isEqualTo(1);
        assertThat(f.sent).singleElement().satisfies(p -> {
            assertThat(p.scheduleId()).isEqualTo(soon.id());
            assertThat(p.delay()).isEqualTo(Duration.ofSeconds(90));
        });
        assertThat(later.nextFireAt()).isEqualTo(Instant.parse("2026-12-24T12:00:00Z"));
    }

    @Test
    void theSweepPagesThroughABurstOfFiresDueTogether() {
        for (int i = 0; i < 450; i++) {  // over 100 per index partition: the sweep reads pages
            f.create(report, "{\"expression\": \"cron(0 9 * * ? *)\", \"input\": {\"team\": \"a" + i + "\"}}");
            if (i % 99 == 98) {
                report = f.publish(ScheduleFixture.REPORT);  // a workflow holds 100 at most
            }
        }
        f.sent.clear();
        f.clock.advance(Duration.ofMinutes(29));
        assertThat(f.sweep.sweep(null)).isEqualTo(450);
        assertThat(f.sent).extracting(p -> p.scheduleId()).doesNotHaveDuplicates().hasSize(450);
        ScheduleSweep small = new ScheduleSweep(f.schedules, pending -> { }, f.clock, 30);
        assertThat(small.sweep(null)).isEqualTo(30);
    }

    @Test
    void acrossTheSpringForwardTheSkippedLocalTimeDoesNotFire() {
        f.clock.advance(Duration.between(f.clock.instant(), Instant.parse("2026-03-27T12:00:00Z")));
        Schedule s = f.create(report, """
                {"expression": "cron(30 2 * * ? *)", "timezone": "Europe/Berlin", "input": {"team": "ops"}}""");
        List<Instant> fired = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Instant fire = f.read(s).nextFireAt();
            f.clock.advance(Duration.between(f.clock.instant(), fire).plusSeconds(1));
            f.fire(s, fire);
            fired.add(fire);
        }
        assertThat(fired).containsExactly(Instant.parse("2026-03-28T01:30:00Z"), Instant.parse("2026-03-30T00:30:00Z"),
                Instant.parse("2026-03-31T00:30:00Z"));
        assertThat(f.read(s).counts()).isEqualTo(new Schedule.Counts(3, 0, 0, 0));
    }

    @Test
    void acrossTheFallBackARepeatedLocalTimeFiresOnce() {
        f.clock.advance(Duration.between(f.clock.instant(), Instant.parse("2026-10-24T23:10:00Z")));
        Schedule s = f.create(report, """
                {"expression": "cron(0/30 * * * ? *)", "timezone": "Europe/Berlin", "input": {"team": "ops"}}""");
        List<Instant> fired = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Instant fire = f.read(s).nextFireAt();
            f.clock.advance(Duration.between(f.clock.instant(), fire).plusSeconds(1));
            f.fire(s, fire);
            fired.add(fire);
        }
        // 01:30, 02:00, 02:30 CEST; then 02:00 and 02:30 CET come again and do not fire; 03:00 CET.
        assertThat(fired).containsExactly(Instant.parse("2026-10-24T23:30:00Z"), Instant.parse("2026-10-25T00:00:00Z"),
                Instant.parse("2026-10-25T00:30:00Z"), Instant.parse("2026-10-25T02:00:00Z"),
                Instant.parse("2026-10-25T02:30:00Z"), Instant.parse("2026-10-25T03:00:00Z"));
        assertThat(f.runs.runs).hasSize(6);
        assertThat(RunService.fireKey(s.id(), fired.getFirst())).isEqualTo("schedule:" + s.id() + ":"
                + fired.getFirst().toEpochMilli());
    }
}
