package dev.kickoff.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.api.workspace.WorkspaceIds;
import dev.kickoff.api.workspace.WorkspaceIds.Kind;
import dev.kickoff.core.engine.StepRegistry;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.emulators.testing.LambdaHttp;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import dev.kickoff.adapters.aws.AwsClients;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The execute limit through two API "instances" (two handlers, each with its own composition root, sharing the
 * table), as two Lambda instances would. Their clock starts the burst at the beginning of a one-minute window
 * and runs slowly: the test cannot straddle a window boundary, whatever the wall clock says.
 */
class RateLimitApiTest {
    /**
     * A clock that starts where the test puts it and then runs at a tenth of real speed: a one-minute window
     * lasts ten real minutes, so even a machine under heavy load finishes the burst inside one window (and IDs,
     * made of milliseconds, still differ).
     */
    static final class SlowClock extends Clock {
        private volatile Instant virtualStart = Instant.now();
        private volatile long realStartNanos = System.nanoTime();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return virtualStart.plusNanos((System.nanoTime() - realStartNanos) / 10);
        }

        /** Moves to {@code into} past the start of the next window. */
        synchronized void startOfAWindow(Duration into) {
            long minute = 60_000;
            long next = (Math.floorDiv(instant().toEpochMilli(), minute) + 1) * minute;
            realStartNanos = System.nanoTime();
            virtualStart = Instant.ofEpochMilli(next).plus(into);
        }
    }

    static ApiStack stack;
    static final SlowClock CLOCK = new SlowClock();
    static LambdaHttp[] instances;
    static CompositionRoot[] runtimes;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("rate-limit");
        runtimes = new CompositionRoot[2];
        instances = new LambdaHttp[2];
        for (int i = 0; i < 2; i++) {
            runtimes[i] = new CompositionRoot(Settings.fromEnvironment(stack.environment), CLOCK,
                    StepRegistry.standard(), RunObserver.NONE, AwsClients.dynamoDb());
            instances[i] = new LambdaHttp(ApiContract.checking(new ApiHandler(runtimes[i])), "api.kickoff.test");
        }
    }

    /** One execute request in one of the four shapes. */
    static LambdaHttp.Response execute(LambdaHttp http, int shape, ApiStack.Org org, long workflow) {
        return switch (shape) {
            case 0 -> http.post("/api/external/v1/workflows/" + workflow + "/runs", org.apiToken(), "{\"input\": {}}");
            case 1 -> http.send("POST", "/api/v1/workflows/wf_" + workflow + "/run", "{\"input\": {}}",
                    "x-api-key", org.apiToken());
            case 2 -> http.post("/api/v1/workspaces/" + WorkspaceIds.encode(Kind.WORKSPACE, org.id()) + "/workflows/"
                    + WorkspaceIds.encode(Kind.WORKFLOW, workflow) + "/trigger", org.apiToken(), "{\"trigger_payload\": {}}");
            default -> http.send("POST", "/workflows/" + workflow + "/run", "{\"payload\": {}}",
                    "X-API-KEY", org.apiToken());
        };
    }

    @Test
    void exactly500Of600ConcurrentRequestsInAMinuteSucceedAcrossInstancesAndShapes() throws Exception {
        ApiStack.Org org = stack.newOrg();
        long workflow = stack.publishedWorkflow(org, SeedWorkflows.OPEN);
        stack.drainRunsQueue();
        CLOCK.startOfAWindow(Duration.ofMillis(50));
        Instant started = CLOCK.instant();

        CountDownLatch go = new CountDownLatch(1);
        List<Callable<LambdaHttp.Response>> tasks = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            int n = i;
            tasks.add(() -> {
                go.await();
                return execute(instances[n % 2], n % 4, org, workflow);
            });
        }
        List<LambdaHttp.Response> answers = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(48)) {
            List<Future<LambdaHttp.Response>> futures = new ArrayList<>();
            for (var t : tasks) {
                futures.add(pool.submit(t));
            }
            go.countDown();
            for (var f : futures) {
                answers.add(f.get());
            }
        }
        Duration took = Duration.between(started, CLOCK.instant());
        assertThat(took).as("the burst stayed inside one window").isLessThan(Duration.ofSeconds(59));

        List<LambdaHttp.Response> ok = answers.stream().filter(a -> a.status() == 200 || a.status() == 201).toList();
        List<LambdaHttp.Response> limited = answers.stream().filter(a -> a.status() == 429).toList();
        assertThat(ok).hasSize(500);
        assertThat(limited).hasSize(100);
        assertThat(answers).allSatisfy(a -> {
            assertThat(a.header("RateLimit-Limit")).isEqualTo("500");
            assertThat(Long.parseLong(a.header("RateLimit-Reset"))).isBetween(1L, 60L);
        });
        // every success took its own count: remaining went 499, 498, ... 0, once each
        TreeSet<Long> remaining = new TreeSet<>();
        ok.forEach(a -> remaining.add(Long.parseLong(a.header("RateLimit-Remaining"))));
        assertThat(remaining).hasSize(500).first().isEqualTo(0L);
        assertThat(remaining.last()).isEqualTo(499L);
        assertThat(limited).allSatisfy(a -> {
            assertThat(a.header("RateLimit-Remaining")).isEqualTo("0");
            assertThat(Long.parseLong(a.header("Retry-After"))).isBetween(1L, 60L);
        });
        // One queued run per accepted request. Counted by run, not by message: SQS is at-least-once, and under load
        // the SDK retries a SendMessage whose answer timed out although the queue had taken it (seen once: 501
        // messages, one run twice), which the worker's claim makes harmless. What must hold is the runs.
        List<JsonNode> queued = stack.drainRunsQueue();
        assertThat(queued.stream().map(m -> m.path("run_id").asLong()).distinct().count())
                .as("one queued run per accepted request").isEqualTo(500);
        assertThat(queued).as("a duplicate message is a retried send, rare").hasSizeBetween(500, 510);

        // the next window starts afresh
        CLOCK.startOfAWindow(Duration.ofMillis(50));
        var fresh = execute(instances[0], 1, org, workflow);
        assertThat(fresh.status()).isEqualTo(201);
        assertThat(fresh.header("RateLimit-Remaining")).isEqualTo("499");
    }

    @Test
    void anOrganizationsOwnLimitAppliesOnEveryInstanceAndEveryShapeAnswers429InItsFormat() {
        ApiStack.Org org = stack.newOrg();
        long workflow = stack.publishedWorkflow(org, SeedWorkflows.OPEN);
        CLOCK.startOfAWindow(Duration.ofMillis(50));
        runtimes[0].executeLimits().setLimit(org.id(), 3);

        for (int i = 0; i < 3; i++) {
            var ok = execute(instances[1], i, org, workflow);
            assertThat(ok.status()).as(ok.toString()).isIn(200, 201);
            assertThat(ok.header("RateLimit-Limit")).isEqualTo("3");
        }
        String message = "Rate limit exceeded. Limit: 3 requests per minute.";
        var v1 = execute(instances[1], 1, org, workflow);
        assertThat(v1.status()).isEqualTo(429);
        assertThat(v1.body()).isEqualTo("{\"success\":false,\"error\":{\"code\":\"RATE_LIMITED\",\"message\":\"" + message + "\"}}");
        assertThat(v1.header("Retry-After")).isNotNull();
        JsonNode canonical = execute(instances[1], 0, org, workflow).json();
        assertThat(canonical.get("code").asText()).isEqualTo("rate_limited");
        assertThat(canonical.get("error").asText()).isEqualTo(message);
        var workspace = execute(instances[0], 2, org, workflow);
        assertThat(workspace.status()).isEqualTo(429);
        assertThat(workspace.body()).isEqualTo("{\"detail\":\"" + message + "\"}");
        var minimal = execute(instances[0], 3, org, workflow);
        assertThat(minimal.status()).isEqualTo(429);
        assertThat(minimal.json().get("error").get("code").asText()).isEqualTo("RATE_LIMITED");
        assertThat(minimal.header("Retry-After")).isNotNull();

        // limits are per token: another token of the same organization has its own budget
        var second = stack.http.post("/api/manage/v1/tokens", org.manageToken(), "{\"name\":\"second\",\"scope\":\"api\"}")
                .json().get("secret").asText();
        assertThat(execute(instances[0], 1, new ApiStack.Org(org.id(), org.manageToken(), second), workflow).status())
                .isEqualTo(201);
        runtimes[0].executeLimits().setLimit(org.id(), null);
    }
}
