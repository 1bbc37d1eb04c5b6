package dev.kickoff.adapters.aws;

import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.IdempotencyRecord;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.org.Organization;
import dev.kickoff.emulators.testing.TestAws;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Idempotency records and rate-limit counters against DynamoDB Local: their conditions are the product. */
class DynamoTriggerEdgeStoresTest {
    static DynamoTable table;
    static DynamoIdempotencyStore keys;
    static DynamoRunStore runs;
    static DynamoRateLimitStore limits;
    static final AtomicLong IDS = new AtomicLong(System.nanoTime() & 0xffffffffL);
    static final Instant T0 = Instant.parse("2026-05-19T12:34:56Z");

    @BeforeAll
    static void setUp() {
        var stack = TestAws.get().provision("trigger-edge");
        table = new DynamoTable(AwsClients.dynamoDb(), stack.table("KickoffTable").name());
        keys = new DynamoIdempotencyStore(table);
        runs = new DynamoRunStore(table);
        limits = new DynamoRateLimitStore(table);
    }

    static Run run() {
        return new Run(IDS.incrementAndGet(), 1, 2, 3, false, 4, "api", "ci", "live", Json.parse("{\"a\": 1}"), null,
                null, T0, RunStatus.PENDING, null, null, List.of(), T0, null, null, 0, null, null);
    }

    static IdempotencyRecord record(String key, Run run, Instant now) {
        return new IdempotencyRecord(1, 2, key, "fp-" + run.id(), run.id(), now, now.plus(Duration.ofHours(24)));
    }

    @Test
    void aKeyIsClaimedOnceAndThenOnlyMovedFromTheRunItNames() {
        Run first = run();
        assertThat(keys.claim(record("k1", first, T0), T0)).isTrue();
        assertThat(keys.find(1, 2, "k1", T0)).hasValueSatisfying(r -> assertThat(r.runId()).isEqualTo(first.id()));
        assertThat(runs.find(first.id())).as("the claim writes the key only: the run is queued, then stored")
                .isEmpty();

        Run second = run();
        assertThat(keys.claim(record("k1", second, T0.plusSeconds(5)), T0.plusSeconds(5))).isFalse();
        assertThat(keys.find(1, 2, "k1", T0)).hasValueSatisfying(r -> assertThat(r.runId()).isEqualTo(first.id()));

        // After an ID collision (or to take over a key whose run was never stored): only from the run it names.
        Run moved = run();
        assertThat(keys.reassign(record("k1", moved, T0), second.id())).isFalse();
        assertThat(keys.reassign(record("k1", moved, T0), first.id())).isTrue();
        assertThat(keys.find(1, 2, "k1", T0)).hasValueSatisfying(r -> assertThat(r.runId()).isEqualTo(moved.id()));
        assertThat(keys.reassign(record("k-none", moved, T0), first.id())).as("no such key").isFalse();
        // scope: the same key text in another workflow or organization is another key
        assertThat(keys.find(1, 3, "k1", T0)).isEmpty();
        assertThat(keys.find(9, 2, "k1", T0)).isEmpty();
    }

    @Test
    void anExpiredRecordIsAbsentOnReadAndCanBeTakenOverEvenIfTtlHasNotDeletedIt() {
        Run old = run();
        keys.claim(record("k-exp", old, T0), T0);
        Instant later = T0.plus(Duration.ofHours(24));
        assertThat(keys.find(1, 2, "k-exp", later.minusSeconds(1))).isPresent();
        assertThat(keys.find(1, 2, "k-exp", later)).isEmpty();
        assertThat(table.get(DynamoIdempotencyStore.pk(1, 2, "k-exp"), DynamoIdempotencyStore.SK, true))
                .as("still stored: TTL deletion is late").isNotNull();
        Run fresh = run();
        assertThat(keys.claim(record("k-exp", fresh, later), later)).isTrue();
        assertThat(keys.find(1, 2, "k-exp", later)).hasValueSatisfying(r -> assertThat(r.runId()).isEqualTo(fresh.id()));
    }

    @Test
    void releaseFreesTheKeyOnlyIfItStillNamesThatRun() {
        Run a = run();
        keys.claim(record("k-rel", a, T0), T0);
        Run stranger = run();
        keys.release(record("k-rel", stranger, T0));
        assertThat(keys.find(1, 2, "k-rel", T0)).isPresent();
        keys.release(record("k-rel", a, T0));
        assertThat(keys.find(1, 2, "k-rel", T0)).isEmpty();
    }

    @Test
    void concurrentClaimsOfOneKeyHaveExactlyOneWinner() throws Exception {
        List<Callable<Boolean>> tasks = new ArrayList<>();
        List<Run> candidates = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Run r = run();
            candidates.add(r);
            tasks.add(() -> keys.claim(record("k-race", r, T0), T0));
        }
        int winners = 0;
        try (var pool = Executors.newFixedThreadPool(20)) {
            for (Future<Boolean> f : pool.invokeAll(tasks)) {
                winners += f.get() ? 1 : 0;
            }
        }
        assertThat(winners).isEqualTo(1);
        long named = keys.find(1, 2, "k-race", T0).orElseThrow().runId();
        assertThat(candidates).extracting(Run::id).contains(named);
    }

    @Test
    void countersAllowExactlyTheLimitUnderConcurrency() throws Exception {
        Instant window = Instant.parse("2026-05-19T12:34:00Z");
        List<Callable<Boolean>> tasks = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            tasks.add(() -> limits.increment(77, window, 50, window.plusSeconds(120)).isPresent());
        }
        int allowed = 0;
        try (var pool = Executors.newFixedThreadPool(16)) {
            for (Future<Boolean> f : pool.invokeAll(tasks)) {
                allowed += f.get() ? 1 : 0;
            }
        }
        assertThat(allowed).isEqualTo(50);
        assertThat(limits.increment(77, window.plusSeconds(60), 50, window.plusSeconds(180))).hasValue(1);
        var item = table.get(DynamoRateLimitStore.pk(77, window), DynamoRateLimitStore.SK, true);
        assertThat(item.get("count").n()).isEqualTo("50");
        assertThat(item.get("type").s()).isEqualTo("rate_limit");
        assertThat(item.get("expires_at").n()).isEqualTo(Long.toString(window.plusSeconds(120).getEpochSecond()));
    }

    @Test
    void anOrganizationsLimitIsAnAttributeOfItsItem() {
        long org = IDS.incrementAndGet();
        assertThat(limits.setExecuteLimit(org, 10)).as("no such organization").isFalse();
        new DynamoOrganizationStore(table).create(new Organization(org, "Acme", T0));
        assertThat(limits.executeLimit(org)).isEmpty();
        assertThat(limits.setExecuteLimit(org, 10)).isTrue();
        assertThat(limits.executeLimit(org)).hasValue(10);
        assertThat(limits.setExecuteLimit(org, null)).isTrue();
        assertThat(limits.executeLimit(org)).isEmpty();
        assertThat(new DynamoOrganizationStore(table).find(org)).hasValueSatisfying(o -> assertThat(o.name()).isEqualTo("Acme"));
    }
}
