package dev.kickoff.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.emulators.testing.LambdaHttp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seed 000's run controls and runs list, and the management API's run endpoints the dashboard uses, through the
 * deployed handler class against the emulators; the runs are executed by the worker's executor in between.
 */
class RunControlApiTest {
    static final String APPROVAL = """
            {"name": "approval", "output": {"by": "{{steps.approve.output.by}}"},
             "steps": [{"id": "total", "type": "transform", "config": {"mapping": {"total": 42}}},
                       {"id": "approve", "type": "wait_for_signal", "config": {"signal": "approved"}},
                       {"id": "done", "type": "transform", "config": {"mapping": {"approved": true}}}]}""";
    static final String FAILING = """
            {"name": "failing", "steps": [{"id": "boom", "type": "fail", "config": {"message": "out of stock"}}]}""";

    static ApiStack stack;
    static ApiStack.Org org;
    static ApiStack.Org other;
    static long approval;
    static long failing;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("run-control-api");
        org = stack.newOrg();
        other = stack.newOrg();
        approval = stack.publishedWorkflow(org, APPROVAL);
        failing = stack.publishedWorkflow(org, FAILING);
        stack.drainRunsQueue();
    }

    static String runs(long workflowId) {
        return "/api/external/v1/workflows/" + workflowId + "/runs";
    }

    static JsonNode start(long workflowId) {
        var started = stack.http.post(runs(workflowId), org.apiToken(), "{\"input\": {\"n\": 1}}");
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        return started.json().get("workflow_run");
    }

    static void execute(JsonNode run) {
        stack.runtime.executor().execute(run.get("id").asLong(), "test-worker");
    }

    static JsonNode read(JsonNode run) {
        var polled = stack.http.get(runs(run.get("workflow_id").asLong()) + "/" + run.get("id").asLong(),
                org.apiToken());
        assertThat(polled.status()).as(polled.toString()).isEqualTo(200);
        return polled.json().get("workflow_run");
    }

    static String control(JsonNode run, String what) {
        return runs(run.get("workflow_id").asLong()) + "/" + run.get("id").asLong() + "/" + what;
    }

    @Test
    void aSignalResumesASuspendedRunAndItsPayloadIsTheStepsOutput() {
        JsonNode run = start(approval);
        execute(run);
        assertThat(read(run).get("status").asText()).isEqualTo("suspended");

        var signalled = stack.http.send("POST", control(run, "signals"),
                "{\"signal\": \"approved\", \"payload\": {\"by\": \"ana\"}}", "Authorization",
                "Bearer " + org.apiToken(), "Idempotency-Key", "sig-1");

        assertThat(signalled.status()).as(signalled.toString()).isEqualTo(202);
        assertThat(signalled.json().get("workflow_run").get("status").asText()).isEqualTo("pending");
        assertThat(signalled.header("Idempotent-Replayed")).isNull();
        var again = stack.http.send("POST", control(run, "signals"),
                "{\"signal\": \"approved\", \"payload\": {\"by\": \"ana\"}}", "Authorization",
                "Bearer " + org.apiToken(), "Idempotency-Key", "sig-1");
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");

        execute(run);
        JsonNode done = read(run);
        assertThat(done.get("status").asText()).isEqualTo("completed");
        assertThat(done.get("output").toString()).isEqualTo("{\"by\":\"ana\"}");

        var late = stack.http.post(control(run, "signals"), org.apiToken(), "{\"signal\": \"approved\"}");
        assertThat(late.status()).as("a finished run takes no signal").isEqualTo(409);
    }

    @Test
    void aSignalThatComesEarlyIsKeptAndAnUnknownNameIs422() {
        JsonNode run = start(approval);

        var early = stack.http.post(control(run, "signals"), org.apiToken(),
                "{\"signal\": \"approved\", \"payload\": {\"by\": \"bo\"}}");
        assertThat(early.status()).as(early.toString()).isEqualTo(202);
        assertThat(early.json().get("workflow_run").get("status").asText()).as("unchanged, the signal kept")
                .isEqualTo("pending");
        var unknown = stack.http.post(control(run, "signals"), org.apiToken(), "{\"signal\": \"shipped\"}");
        assertThat(unknown.status()).as("no step waits for it").isEqualTo(422);

        execute(run);
        JsonNode done = read(run);
        assertThat(done.get("status").asText()).as("the kept signal was taken at the wait").isEqualTo("completed");
        assertThat(done.get("output").toString()).isEqualTo("{\"by\":\"bo\"}");
    }

    @Test
    void badSignalBodiesAre4xx() {
        JsonNode run = start(approval);
        for (String body : new String[]{"{}", "{\"signal\": 7}", "{\"signal\": \"approved\", \"payload\": 3}",
                "[1]"}) {
            var refused = stack.http.post(control(run, "signals"), org.apiToken(), body);
            assertThat(refused.status()).as(body + " -> " + refused).isEqualTo(400);
        }
        var extra = stack.http.post(control(run, "signals"), org.apiToken(), "{\"signal\": \"approved\", \"x\": 1}");
        assertThat(extra.status()).as("an unsupported key, as on every POST").isEqualTo(422);
        assertThat(extra.json().get("error").asText()).isEqualTo("unsupported_body_key");
    }

    @Test
    void cancelEndsARunFailedWithCodeCancelledAndAFinishedRunIs409() {
        JsonNode run = start(approval);
        execute(run);

        var cancelled = stack.http.post(control(run, "cancel"), org.apiToken(), "{\"reason\": \"customer left\"}");

        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
        JsonNode body = cancelled.json().get("workflow_run");
        assertThat(body.get("status").asText()).isEqualTo("failed");
        assertThat(body.get("error").get("code").asText()).isEqualTo("cancelled");
        assertThat(body.get("error").get("message").asText()).contains("customer left");
        assertThat(read(run)).isEqualTo(body);
        assertThat(stack.http.post(control(run, "cancel"), org.apiToken(), null).status()).isEqualTo(409);
        assertThat(stack.http.post(control(run, "retry"), org.apiToken(), null).status())
                .as("a cancelled run is not retried").isEqualTo(409);
        assertThat(stack.http.post(control(run, "signals"), org.apiToken(), "{\"signal\": \"approved\"}").status())
                .isEqualTo(409);
    }

    @Test
    void retryPutsAFailedRunBackToPendingAndCountsIt() {
        JsonNode run = start(failing);
        execute(run);
        JsonNode failed = read(run);
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("error").get("code").asText()).isEqualTo("step_failed");
        stack.drainRunsQueue();

        var retried = stack.http.post(control(run, "retry"), org.apiToken(), null);

        assertThat(retried.status()).as(retried.toString()).isEqualTo(202);
        assertThat(retried.json().get("workflow_run").get("status").asText()).isEqualTo("pending");
        assertThat(retried.json().get("workflow_run").get("retries").asInt()).isEqualTo(1);
        assertThat(stack.drainRunsQueue()).as("queued again")
                .anySatisfy(m -> assertThat(m.get("run_id").asLong()).isEqualTo(run.get("id").asLong()));
        assertThat(stack.http.post(control(run, "retry"), org.apiToken(), null).status())
                .as("not failed now").isEqualTo(409);
    }

    @Test
    void replayStartsANewRunWithTheSameInputMarkedReplayOf() {
        JsonNode run = start(failing);
        execute(run);

        var replayed = stack.http.post(control(run, "replay"), org.apiToken(), null);

        assertThat(replayed.status()).as(replayed.toString()).isEqualTo(201);
        JsonNode fresh = replayed.json().get("workflow_run");
        assertThat(fresh.get("id").asLong()).isNotEqualTo(run.get("id").asLong());
        assertThat(fresh.get("replay_of").asLong()).isEqualTo(run.get("id").asLong());
        assertThat(fresh.get("input")).isEqualTo(run.get("input"));
        assertThat(fresh.get("workflow_version").asInt()).isEqualTo(run.get("workflow_version").asInt());
        assertThat(fresh.get("status").asText()).isEqualTo("pending");
        assertThat(replayed.header("Location")).isEqualTo(fresh.get("url").asText());
        assertThat(stack.http.post(control(run, "replay") + "?version=latest", org.apiToken(), null).status())
                .isEqualTo(201);
        assertThat(stack.http.post(control(run, "replay") + "?version=7", org.apiToken(), null).status())
                .isEqualTo(400);
    }

    @Test
    void anotherOrganizationsRunIs404ToEveryControlAndManageTokensAre401() {
        JsonNode run = start(approval);
        for (String what : new String[]{"cancel", "retry", "replay", "signals"}) {
            String body = what.equals("signals") ? "{\"signal\": \"approved\"}" : null;
            var foreign = stack.http.post(control(run, what), other.apiToken(), body);
            assertThat(foreign.status()).as(what + " " + foreign).isEqualTo(404);
            assertThat(stack.http.post(control(run, what), org.manageToken(), body).status()).as(what).isEqualTo(401);
        }
        assertThat(stack.http.get(runs(approval), other.apiToken()).status()).isEqualTo(404);
        assertThat(read(run).get("status").asText()).as("untouched").isEqualTo("pending");
    }

    @Test
    void theRunsListIsNewestFirstFilteredByStatusAndPaged() {
        long workflow = stack.publishedWorkflow(org, APPROVAL);
        List<Long> started = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            started.add(start(workflow).get("id").asLong());
        }
        JsonNode toSuspend = start(workflow);
        started.add(toSuspend.get("id").asLong());
        execute(toSuspend);

        List<Long> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var page = stack.http.get(runs(workflow) + "?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
                    org.apiToken());
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            page.json().get("workflow_runs").forEach(r -> seen.add(r.get("id").asLong()));
            cursor = page.json().get("next_cursor").isNull() ? null : page.json().get("next_cursor").asText();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(seen).as("every run once, newest first").containsExactlyElementsOf(started.reversed());

        var suspended = stack.http.get(runs(workflow) + "?status=suspended", org.apiToken());
        assertThat(suspended.json().get("workflow_runs")).extracting(r -> r.get("id").asLong())
                .containsExactly(toSuspend.get("id").asLong());
        for (String bad : new String[]{"?status=nope", "?limit=0", "?limit=101", "?limit=x", "?cursor=garbage",
                "?status=failed&status=pending"}) {
            assertThat(stack.http.get(runs(workflow) + bad, org.apiToken()).status()).as(bad).isEqualTo(400);
        }
    }

    @Test
    void preferWaitAnswersASettledRunAtOnceAndSaysItWaited() {
        JsonNode run = start(approval);
        execute(run);

        var waited = stack.http.send("GET", runs(approval) + "/" + run.get("id").asLong(), (String) null,
                "Authorization", "Bearer " + org.apiToken(), "Prefer", "wait=25");

        assertThat(waited.status()).isEqualTo(200);
        assertThat(waited.header("Preference-Applied")).isEqualTo("wait=25");
        assertThat(waited.json().get("workflow_run").get("status").asText()).isEqualTo("suspended");

        var capped = stack.http.send("POST", runs(approval), "{}", "Authorization", "Bearer " + org.apiToken(),
                "Prefer", "wait=1");
        assertThat(capped.status()).as(capped.toString()).isEqualTo(201);
        assertThat(capped.header("Preference-Applied")).isEqualTo("wait=1");
        assertThat(capped.json().get("workflow_run").get("status").asText())
                .as("no worker ran it: its state once the wait is up").isEqualTo("pending");

        var ignored = stack.http.send("GET", runs(approval) + "/" + run.get("id").asLong(), (String) null,
                "Authorization", "Bearer " + org.apiToken(), "Prefer", "wait=soon");
        assertThat(ignored.status()).isEqualTo(200);
        assertThat(ignored.header("Preference-Applied")).as("a preference it does not understand").isNull();
    }

    @Test
    void theDashboardListsReadsAndControlsRunsWithAManageToken() {
        JsonNode run = start(approval);
        execute(run);
        long id = run.get("id").asLong();
        LambdaHttp http = stack.http;

        var list = http.get("/api/manage/v1/workflows/" + approval + "/runs?status=suspended", org.manageToken());
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        assertThat(list.json().get("workflow_runs")).extracting(r -> r.get("id").asLong()).contains(id);

        var detail = http.get("/api/manage/v1/runs/" + id, org.manageToken());
        assertThat(detail.status()).as(detail.toString()).isEqualTo(200);
        JsonNode steps = detail.json().get("workflow_run").get("steps");
        assertThat(steps).extracting(s -> s.get("id").asText() + ":" + s.get("status").asText())
                .containsExactly("total:completed", "approve:waiting");
        assertThat(steps.get(0).get("duration_ms").isIntegralNumber()).isTrue();
        assertThat(steps.get(0).get("output").toString()).isEqualTo("{\"total\":42}");
        assertThat(detail.json().get("workflow_run").get("signals").get("awaiting").asText()).isEqualTo("approved");

        var signalled = http.post("/api/manage/v1/runs/" + id + "/signals", org.manageToken(),
                "{\"signal\": \"approved\", \"payload\": {\"by\": \"dash\"}}");
        assertThat(signalled.status()).as(signalled.toString()).isEqualTo(202);
        execute(run);
        assertThat(read(run).get("status").asText()).isEqualTo("completed");

        var replay = http.post("/api/manage/v1/runs/" + id + "/replay", org.manageToken(), null);
        assertThat(replay.status()).as(replay.toString()).isEqualTo(201);
        long replayId = replay.json().get("workflow_run").get("id").asLong();
        assertThat(replay.header("Location")).endsWith("/api/manage/v1/runs/" + replayId);
        var cancel = http.post("/api/manage/v1/runs/" + replayId + "/cancel", org.manageToken(), null);
        assertThat(cancel.status()).as(cancel.toString()).isEqualTo(200);
        assertThat(cancel.json().get("workflow_run").get("error").get("code").asText()).isEqualTo("cancelled");
        assertThat(http.post("/api/manage/v1/runs/" + replayId + "/retry", org.manageToken(), null).status())
                .isEqualTo(409);

        Set<Integer> foreign = new HashSet<>();
        foreign.add(http.get("/api/manage/v1/runs/" + id, other.manageToken()).status());
        foreign.add(http.get("/api/manage/v1/workflows/" + approval + "/runs", other.manageToken()).status());
        foreign.add(http.post("/api/manage/v1/runs/" + id + "/cancel", other.manageToken(), null).status());
        assertThat(foreign).as("another organization's run or workflow").containsExactly(404);
        assertThat(http.get("/api/manage/v1/runs/" + id, org.apiToken()).status()).as("an API token")
                .isIn(401, 403);
    }
}
