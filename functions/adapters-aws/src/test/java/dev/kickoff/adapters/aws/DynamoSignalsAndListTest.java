package dev.kickoff.adapters.aws;

import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.port.RunStore.ClaimResult;
import dev.kickoff.core.port.RunStore.WriteResult;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunSignal;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.StepRecord;
import dev.kickoff.emulators.testing.TestAws;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Signals and the runs list on DynamoDB Local: kept signals round-trip exactly, the worker's AWAIT is refused when a
 * signal slipped in after its read, a keyed signal is taken once, a taken signal leaves the run in the write that
 * records its step; the runs list pages newest first across its shards with a status filter, costs one index write
 * when a run is created and none after.
 */
class DynamoSignalsAndListTest {
    static final Instant T0 = Instant.parse("2026-05-19T12:34:56Z");
    static final AtomicLong IDS = new AtomicLong(System.nanoTime() & 0xffffffffL);
    static DynamoTable table;
    static DynamoRunStore runs;

    @BeforeAll
    static void setUp() {
        var stack = TestAws.get().provision("signals");
        table = new DynamoTable(AwsClients.dynamoDb(), stack.table("KickoffTable").name());
        runs = new DynamoRunStore(table, List.of());
    }

    static Run pending(long org, long workflow, Instant created) {
        return new Run(IDS.incrementAndGet(), org, workflow, 1, false, 4, "api", "ci", "live", Json.object(), null,
                null, created, RunStatus.PENDING, null, null, List.of(), created, null, null, 0, null, null);
    }

    static Run claim(Run run, String owner) {
        return ((ClaimResult.Claimed) runs.claim(run.id(), owner, T0, T0.plusSeconds(60))).run();
    }

    static RunSignal signal(String id, String name, String payload) {
        return new RunSignal(id, name, Json.parse(payload), T0);
    }

    @Test
    void aWaitingRunIsWokenByItsSignalWhichTheWorkerTakesInTheWriteThatRecordsTheStep() {
        Run run = pending(1, 2, T0);
        runs.create(run);
        Run claimed = claim(run, "w1");
        List<StepRecord> waiting = List.of(new StepRecord("approve", "wait_for_signal", StepRecord.WAITING, null, null,
                null, T0, null));
        Run asleep = claimed.toBuilder().status(RunStatus.SUSPENDED).steps(waiting).updatedAt(T0)
                .signals(claimed.signals().awaiting("approved")).build();
        assertThat(runs.awaitSignal(asleep, 0, false).written()).isTrue();
        Run stored = runs.find(run.id()).orElseThrow();
        assertThat(stored.status()).isEqualTo(RunStatus.SUSPENDED);
        assertThat(stored.signals().awaited()).isEqualTo("approved");
        assertThat(stored.leaseOwner()).isNull();
        assertThat(stored.wakeAt()).isNull();

        // Another name is kept, the run sleeps on; the awaited one wakes it, listed for the sweeper until it ends.
        assertThat(runs.signal(run.id(), signal("s1", "shipped", "{}"), false, T0).written()).as("not awaited").isFalse();
        assertThat(runs.keepSignal(run.id(), signal("s1", "shipped", "{\"n\": 1}"), false, T0).written()).isTrue();
        assertThat(runs.keepSignal(run.id(), signal("s2", "approved", "{}"), false, T0).written())
                .as("the awaited signal wakes the run: keeping it would leave the run asleep").isFalse();
        assertThat(runs.signal(run.id(), signal("k_abc", "approved", "{\"amount\": 12.50, \"big\": 12345678901234567890}"),
                true, T0.plusSeconds(1)).written()).isTrue();
        Run woken = runs.find(run.id()).orElseThrow();
        assertThat(woken.status()).isEqualTo(RunStatus.PENDING);
        assertThat(woken.signals().awaited()).isNull();
        assertThat(woken.signals().keys()).containsExactly("k_abc");
        assertThat(woken.signals().kept()).extracting(RunSignal::id).containsExactly("s1", "k_abc");
        assertThat(Json.write(woken.signals().kept().get(1).payload()))
                .isEqualTo("{\"amount\":12.50,\"big\":12345678901234567890}");
        assertThat(rawItem(run.id())).containsKeys("gsi2pk", "gsi2sk");
        assertThat(runs.keepSignal(run.id(), signal("k_abc", "approved", "{}"), true, T0).written())
                .as("a keyed signal is taken in once").isFalse();

        // The worker takes k_abc (index 1): a checkpoint that removes it, guarded by its ID at that place.
        Run again = claim(run, "w2");
        Run recorded = again.toBuilder().steps(List.of(new StepRecord("approve", "wait_for_signal",
                StepRecord.COMPLETED, null, again.signals().kept().get(1).payload(), null, T0, T0)))
                .lease("w2", T0.plusSeconds(90)).build();
        assertThat(runs.receive(recorded, 0, "k_abc").written()).as("not at that place").isFalse();
        assertThat(runs.receive(recorded.toBuilder().lease("w1", T0.plusSeconds(90)).build(), 1, "k_abc").written())
                .as("not the lease holder").isFalse();
        assertThat(runs.receive(recorded, 1, "k_abc").written()).isTrue();
        Run after = runs.find(run.id()).orElseThrow();
        assertThat(after.signals().kept()).extracting(RunSignal::id).containsExactly("s1");
        assertThat(after.steps().getFirst().status()).isEqualTo(StepRecord.COMPLETED);
        assertThat(after.leaseUntil()).isEqualTo(T0.plusSeconds(90));
    }

    @Test
    void theWorkersAwaitIsRefusedWhenASignalCameAfterItsRead() {
        Run run = pending(1, 2, T0);
        runs.create(run);
        Run claimed = claim(run, "w1");
        assertThat(runs.keepSignal(run.id(), signal("s1", "approved", "{}"), false, T0).written()).isTrue();
        Run asleep = claimed.toBuilder().status(RunStatus.SUSPENDED).updatedAt(T0).wakeAt(T0.plusSeconds(3600))
                .signals(claimed.signals().awaiting("approved")).build();

        WriteResult refused = runs.awaitSignal(asleep, 0, true);

        assertThat(refused.written()).isFalse();
        Run current = ((WriteResult.Refused) refused).current();
        assertThat(current.status()).isEqualTo(RunStatus.IN_PROGRESS);
        assertThat(current.leaseOwner()).as("still this worker's: it looks again").isEqualTo("w1");
        assertThat(current.signals().kept()).hasSize(1);
        assertThat(runs.awaitSignal(asleep, 1, true).written()).as("having seen it").isTrue();
        assertThat(rawItem(run.id())).as("a long timeout: in the wake-up index").containsKeys("wake_pk", "wake_sk");
    }

    @Test
    void theRunsListPagesNewestFirstAcrossItsShardsWithAStatusFilter() {
        long org = IDS.incrementAndGet();
        long workflow = IDS.incrementAndGet();
        List<Run> created = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // Several in the same millisecond: the ID breaks the tie, the same way in every shard.
            Run run = pending(org, workflow, T0.plusMillis(i / 3));
            runs.create(run);
            created.add(run);
        }
        runs.create(pending(org, IDS.incrementAndGet(), T0.plusSeconds(5)));  // another workflow's
        runs.create(pending(IDS.incrementAndGet(), workflow, T0.plusSeconds(5)));  // another organization's
        List<Long> newestFirst = created.stream()
                .sorted(java.util.Comparator.comparing(Run::createdAt).thenComparingLong(Run::id).reversed())
                .map(Run::id).toList();
        for (int i = 0; i < 40; i += 4) {  // every fourth one completed
            Run claimed = claim(created.get(i), "w");
            assertThat(runs.finish(claimed.toBuilder().status(RunStatus.COMPLETED).updatedAt(T0).completedAt(T0)
                    .build()).written()).isTrue();
        }

        List<Long> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            RunStore.RunPage page = runs.list(org, workflow, null, 15, cursor);
            assertThat(page.runs().size()).isLessThanOrEqualTo(15);
            page.runs().forEach(r -> seen.add(r.id()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null);
        assertThat(seen).isEqualTo(newestFirst);
        assertThat(pages).isEqualTo(3);

        List<Long> completed = new ArrayList<>();
        cursor = null;
        do {
            RunStore.RunPage page = runs.list(org, workflow, RunStatus.COMPLETED, 4, cursor);
            page.runs().forEach(r -> {
                assertThat(r.status()).isEqualTo(RunStatus.COMPLETED);
                completed.add(r.id());
            });
            cursor = page.nextCursor();
        } while (cursor != null);
        assertThat(completed).isEqualTo(newestFirst.stream()
                .filter(id -> created.indexOf(created.stream().filter(r -> r.id() == id).findFirst().orElseThrow()) % 4 == 0)
                .toList());

        assertThat(runs.list(org, IDS.incrementAndGet(), null, 10, null).runs()).as("a workflow without runs").isEmpty();
        for (String bad : List.of("nope", "cjE6eA", java.util.Base64.getUrlEncoder().encodeToString(
                "r1:2026-05-19T12:34:56.000Z#1 OR x".getBytes()))) {
            assertThat(catchThrowableOfType(KickoffException.class, () -> runs.list(org, workflow, null, 10, bad))
                    .reason()).as(bad).isEqualTo(Reason.INVALID_REQUEST);
        }
    }

    @Test
    void theRunsListCostsOneIndexWriteWhenARunIsCreatedAndNoneAfter() {
        Run run = pending(1, 2, T0);
        var put = table.client().putItem(b -> b.tableName(table.name()).item(RunItems.toItem(run))
                .returnConsumedCapacity(ReturnConsumedCapacity.INDEXES));
        assertThat(put.consumedCapacity().globalSecondaryIndexes().get("gsi4").capacityUnits()).isEqualTo(1.0);
        assertThat(rawItem(run.id()).get("gsi4pk").s()).isEqualTo("RUNS#1#2#" + Math.floorMod(run.id(), 16L));

        Run claimed = claim(run, "w1");
        var finish = table.client().updateItem(runs.finishRequest(claimed.toBuilder().status(RunStatus.FAILED)
                .error("boom").updatedAt(T0).completedAt(T0).build()).toBuilder()
                .returnConsumedCapacity(ReturnConsumedCapacity.INDEXES).build());
        assertThat(finish.consumedCapacity().globalSecondaryIndexes()).as("its keys never change")
                .isNullOrEmpty();
    }

    static Map<String, AttributeValue> rawItem(long runId) {
        return table.get(RunItems.pk(runId), RunItems.SK, true);
    }
}
