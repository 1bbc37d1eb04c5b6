package dev.kickoff.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.port.UsageStore;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.RunUsage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Managed schedules and usage over the management API, as the API function answers them (contract-checked): the
 * schedule's shape and next fire times, validation with JSON Pointers, pause, delete, scopes and organizations kept
 * apart; the usage report's shape and its days; the monthly run quota's 429 in each trigger shape.
 */
class SchedulesApiTest {
    static ApiStack stack;
    static ApiStack.Org org;
    static ApiStack.Org other;
    static long workflow;

    static final String REPORT = """
            {"name": "Daily report", "trigger": {"type": "api"},
             "inputSchema": {"type": "object", "required": ["team"], "properties": {"team": {"type": "string"}}},
             "steps": [{"id": "echo", "type": "transform", "config": {"mapping": {"team": "{{input.team}}"}}}]}""";

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("schedules-api");
        org = stack.newOrg();
        other = stack.newOrg();
        workflow = stack.publishedWorkflow(org, REPORT);
    }

    static String schedules(long wf) {
        return "/api/manage/v1/workflows/" + wf + "/schedules";
    }

    @Test
    void aScheduleIsCreatedReadListedPausedAndDeleted() {
        var created = stack.http.post(schedules(workflow), org.manageToken(), """
                {"expression": "cron(0 9 ? * MON-FRI *)", "timezone": "Europe/Berlin", "input": {"team": "ops"},
                 "description": "weekday report"}""");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode s = created.json().get("schedule");
        long id = s.get("id").asLong();
        assertThat(created.header("Location")).isEqualTo(schedules(workflow) + "/" + id);
        assertThat(s.get("status").asText()).isEqualTo("active");
        assertThat(s.get("workflow_id").asLong()).isEqualTo(workflow);
        assertThat(s.get("timezone").asText()).isEqualTo("Europe/Berlin");
        assertThat(s.get("next_fire_times")).hasSize(5);
        // 09:00 on weekdays in Berlin, with Berlin's offset (winter +01:00, summer +02:00).
        s.get("next_fire_times").forEach(t -> assertThat(t.asText()).matches("\\d{4}-\\d{2}-\\d{2}T09:00:00\\+0[12]:00"));
        assertThat(s.get("last_fired_at").isNull()).isTrue();

        var one = stack.http.get(schedules(workflow) + "/" + id, org.manageToken());
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().get("schedule").get("id").asLong()).isEqualTo(id);
        var list = stack.http.get(schedules(workflow), org.manageToken());
        assertThat(list.json().get("schedules")).anySatisfy(x -> assertThat(x.get("id").asLong()).isEqualTo(id));

        var paused = stack.http.send("PATCH", schedules(workflow) + "/" + id, "{\"status\": \"paused\"}",
                "Authorization", "Bearer " + org.manageToken());
        assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
        assertThat(paused.json().get("schedule").get("status").asText()).isEqualTo("paused");
        assertThat(paused.json().get("schedule").get("next_fire_times")).isEmpty();

        var deleted = stack.http.send("DELETE", schedules(workflow) + "/" + id, (byte[]) null,
                "Authorization", "Bearer " + org.manageToken());
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(stack.http.get(schedules(workflow) + "/" + id, org.manageToken()).status()).isEqualTo(404);
    }

    @Test
    void invalidExpressionsTimeZonesAndInputsAre422sWithAPointer() {
        var cron = stack.http.post(schedules(workflow), org.manageToken(),
                "{\"expression\": \"cron(0 9 * * MON *)\", \"input\": {\"team\": \"ops\"}}");
        assertThat(cron.status()).as(cron.toString()).isEqualTo(422);
        assertThat(cron.json().get("validation_errors").get(0).get("path").asText()).isEqualTo("/expression");

        var zone = stack.http.post(schedules(workflow), org.manageToken(),
                "{\"expression\": \"rate(5 minutes)\", \"timezone\": \"Mars/Olympus\", \"input\": {\"team\": \"ops\"}}");
        assertThat(zone.status()).as(zone.toString()).isEqualTo(422);
        assertThat(zone.json().get("validation_errors").get(0).get("path").asText()).isEqualTo("/timezone");

        var past = stack.http.post(schedules(workflow), org.manageToken(),
                "{\"expression\": \"at(2001-01-01T00:00:00)\", \"input\": {\"team\": \"ops\"}}");
        assertThat(past.status()).as(past.toString()).isEqualTo(422);

        var input = stack.http.post(schedules(workflow), org.manageToken(),
                "{\"expression\": \"rate(1 hour)\", \"input\": {\"team\": 7}}");
        assertThat(input.status()).as(input.toString()).isEqualTo(422);
        assertThat(input.body()).contains("/team");

        assertThat(stack.http.post(schedules(workflow), org.manageToken(), "{bad").status()).isEqualTo(400);
    }

    @Test
    void anotherOrganizationsWorkflowIsA404AndAnApiTokenA403() {
        String body = "{\"expression\": \"rate(1 hour)\", \"input\": {\"team\": \"ops\"}}";
        assertThat(stack.http.post(schedules(workflow), other.manageToken(), body).status()).isEqualTo(404);
        assertThat(stack.http.get(schedules(workflow), other.manageToken()).status()).isEqualTo(404);
        assertThat(stack.http.post(schedules(workflow), org.apiToken(), body).status()).isEqualTo(403);
        assertThat(stack.http.get("/api/manage/v1/usage", org.apiToken()).status()).isEqualTo(403);
    }

    @Test
    void theUsageReportHasItsShapeAndRefusesABadMonth() {
        ApiStack.Org fresh = stack.newOrg();
        var usage = stack.http.get("/api/manage/v1/usage?month=2026-12", fresh.manageToken());
        assertThat(usage.status()).as(usage.toString()).isEqualTo(200);
        JsonNode u = usage.json().get("usage");
        assertThat(u.get("month").asText()).isEqualTo("2026-12");
        assertThat(u.get("runs").asLong()).isZero();
        assertThat(u.get("cost_cents").decimalValue()).isZero();
        assertThat(u.get("by_workflow")).isEmpty();
        assertThat(u.get("prices").get("per_run").decimalValue()).isEqualByComparingTo("0.05");

        assertThat(u.get("days")).hasSize(31).allSatisfy(d -> assertThat(d.get("runs").asLong()).isZero());
        assertThat(u.get("days").get(0).get("day").asText()).isEqualTo("2026-12-01");

        var day = stack.http.get("/api/manage/v1/usage?day=2026-12-24", fresh.manageToken());
        assertThat(day.status()).isEqualTo(200);
        assertThat(day.json().get("usage").get("day").asText()).isEqualTo("2026-12-24");
        assertThat(day.json().get("usage").has("days")).as("a day's report has no days").isFalse();
        assertThat(stack.http.get("/api/manage/v1/usage?month=december", fresh.manageToken()).status())
                .isEqualTo(400);
    }

    @Test
    void aMonthsUsageShowsEachDaysRunsByHowTheyFinished() {
        ApiStack.Org metered = stack.newOrg();
        long wf = stack.publishedWorkflow(metered, ApiStack.ORDER_WORKFLOW);
        long run = System.nanoTime();
        var store = stack.runtime.usageStore();
        // As the streams function meters finishes: two runs on November 2nd (one failed), one on the 30th.
        store.meter(finish(run, metered.id(), wf, "2026-11-02T08:00:00Z", RunStatus.COMPLETED));
        store.meter(finish(run + 1, metered.id(), wf, "2026-11-02T09:00:00Z", RunStatus.FAILED));
        store.meter(finish(run + 2, metered.id(), wf, "2026-11-30T23:00:00Z", RunStatus.COMPLETED));

        var usage = stack.http.get("/api/manage/v1/usage?month=2026-11", metered.manageToken());
        assertThat(usage.status()).as(usage.toString()).isEqualTo(200);
        JsonNode u = usage.json().get("usage");
        assertThat(u.get("runs").asLong()).isEqualTo(3);
        JsonNode days = u.get("days");
        assertThat(days).hasSize(30);
        assertThat(days.get(1).get("day").asText()).isEqualTo("2026-11-02");
        assertThat(days.get(1).get("runs").asLong()).isEqualTo(2);
        assertThat(days.get(1).get("completed").asLong()).isEqualTo(1);
        assertThat(days.get(1).get("failed").asLong()).isEqualTo(1);
        assertThat(days.get(1).get("cost_cents").decimalValue()).isEqualByComparingTo("0.1");
        assertThat(days.get(29).get("completed").asLong()).isEqualTo(1);
        assertThat(days.get(2).get("runs").asLong()).isZero();
    }

    private static UsageStore.Meter finish(long run, long org, long wf, String at, RunStatus status) {
        return new UsageStore.Meter(run, org, wf, 1, 0, Instant.parse(at), RunUsage.NONE, new BigDecimal("0.05"),
                new BigDecimal("0.05"), true, status);
    }

    @Test
    void pastTheMonthlyRunQuotaTriggersAnswer429WithAClearCode() {
        ApiStack.Org limited = stack.newOrg();
        long wf = stack.publishedWorkflow(limited, ApiStack.ORDER_WORKFLOW);
        stack.runtime.billing().setMonthlyRunQuota(limited.id(), 1L);
        String body = "{\"input\": {\"items\": [{\"quantity\": 1, \"price\": 5}]}}";
        var first = stack.http.post("/api/external/v1/workflows/" + wf + "/runs", limited.apiToken(), body);
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        var second = stack.http.post("/api/external/v1/workflows/" + wf + "/runs", limited.apiToken(), body);
        assertThat(second.status()).as(second.toString()).isEqualTo(429);
        assertThat(second.json().get("code").asText()).isEqualTo("quota_exceeded");
        assertThat(Long.parseLong(second.header("Retry-After"))).isPositive();
        var v1 = stack.http.send("POST", "/api/v1/workflows/wf_" + wf + "/run", body, "x-api-key", limited.apiToken(),
                "Content-Type", "application/json");
        assertThat(v1.status()).as(v1.toString()).isEqualTo(429);
        assertThat(v1.json().get("error").get("code").asText()).isEqualTo("QUOTA_EXCEEDED");
    }

    @Test
    void aCanonicalRunShowsHowItWasStartedAndItsUsage() {
        long wf = stack.publishedWorkflow(org, ApiStack.ORDER_WORKFLOW);
        var started = stack.http.post("/api/external/v1/workflows/" + wf + "/runs", org.apiToken(),
                "{\"input\": {\"items\": [{\"quantity\": 1, \"price\": 5}]}}");
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        JsonNode run = started.json().get("workflow_run");
        assertThat(run.get("trigger").get("type").asText()).isEqualTo("api");
        assertThat(run.get("trigger").has("token_id")).isTrue();
        assertThat(run.get("usage").get("steps").asLong()).isZero();
        assertThat(run.get("usage").get("cost_cents").isNull()).as("not metered before it finishes").isTrue();
    }
}
