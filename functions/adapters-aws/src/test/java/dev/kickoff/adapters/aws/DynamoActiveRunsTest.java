package dev.kickoff.adapters.aws;

import dev.kickoff.core.cases.Case;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.ActiveRuns;
import dev.kickoff.core.port.RunStore.ClaimResult;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.emulators.testing.TestAws;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The active-runs index (gsi2) against DynamoDB Local: a redelivery or a dead letter lists a run, the write that ends
 * it takes it out (the item's attributes are checked, not only the query), and the
 * sweeper's reads and conditional writes.
 */
class DynamoActiveRunsTest {
    static DynamoTable table;
    static DynamoRunStore runs;
    static DynamoCaseStore cases;
    static DynamoIdempotencyStore keys;
    static DynamoActiveRuns active;
    static final AtomicLong IDS = new AtomicLong(System.nanoTime() & 0xffffffffL);
    static final Instant T0 = Instant.parse("2026-05-28T17:04:12Z");

    @BeforeAll
    static void setUp() {
        var stack = TestAws.get().provision("active-runs");
        table = new DynamoTable(AwsClients.dynamoDb(), stack.table("KickoffTable").name());
        runs = new DynamoRunStore(table);
        cases = new DynamoCaseStore(table, runs);
        keys = new DynamoIdempotencyStore(table);
        active = new DynamoActiveRuns(table);
    }

    static Run pending(Instant createdAt, Long caseId) {
        return new Run(IDS.incrementAndGet(), 1, 2, 3, false, 4, "api", "ci", "live", Json.object(), null, caseId,
                createdAt, RunStatus.PENDING, null, null, List.of(), createdAt, null, null, 0, null, null);
    }

    static Map<String, AttributeValue> item(long runId) {
        return table.get("RUN#" + runId, "RUN", true);
    }

    /** What the index itself holds for a run (a query on its partition, not the item). */
    static boolean indexed(long runId) {
        String pk = "ACTIVE#" + Math.floorMod(runId, 64L);
        Map<String, AttributeValue> start = null;
        do {
            var page = table.client().query(QueryRequest.builder().tableName(table.name()).indexName("gsi2")
                    .keyConditionExpression("gsi2pk = :pk").exclusiveStartKey(start)
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk))).build());
            for (var i : page.items()) {
                if (i.get("pk").s().equals("RUN#" + runId)) {
                    assertThat(i.keySet()).as("keys only").containsExactlyInAnyOrder("pk", "sk", "gsi2pk", "gsi2sk");
                    return true;
                }
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return false;
    }

    static void assertListed(Run run) {
        Map<String, AttributeValue> item = item(run.id());
        assertThat(item.get("gsi2pk").s()).isEqualTo("ACTIVE#" + Math.floorMod(run.id(), 64L));
        assertThat(item.get("gsi2sk").s()).isEqualTo(Attrs.sortable(run.createdAt()) + "#" + Attrs.pad(run.id()));
        assertThat(indexed(run.id())).isTrue();
    }

    static void assertUnlisted(long runId) {
        assertThat(item(runId)).doesNotContainKeys("gsi2pk", "gsi2sk");
        assertThat(indexed(runId)).isFalse();
    }

    static Run claim(Run run, String owner, Instant now) {
        return ((ClaimResult.Claimed) runs.claim(run.id(), owner, now, now.plusSeconds(60))).run();
    }

    /** A run whose message came back (or was dead-lettered) at {@code at}: stored, then listed. */
    static Run listed(Instant createdAt, Instant at) {
        Run run = pending(createdAt, null);
        runs.create(run);
        assertThat(runs.watch(run.id(), at)).isTrue();
        return run;
    }

    @Test
    void aRunIsListedOnlyByARedeliveryAndTheEndTakesItOut() {
        Run queued = pending(T0, null);
        runs.create(queued);
        assertUnlisted(queued.id());
        assertThat(item(queued.id())).containsKeys("pk", "status", "input");

        Instant redelivered = T0.plusSeconds(180);
        assertThat(runs.watch(queued.id(), redelivered)).isTrue();
        Map<String, AttributeValue> item = item(queued.id());
        assertThat(item.get("gsi2pk").s()).isEqualTo("ACTIVE#" + Math.floorMod(queued.id(), 64L));
        assertThat(item.get("gsi2sk").s()).as("listed since the redelivery")
                .isEqualTo(Attrs.sortable(redelivered) + "#" + Attrs.pad(queued.id()));
        assertThat(indexed(queued.id())).isTrue();
        assertThat(runs.watch(queued.id(), redelivered.plusSeconds(180))).as("listed once").isFalse();
        assertThat(item(queued.id()).get("gsi2sk").s()).isEqualTo(item.get("gsi2sk").s());

        Run claimed = claim(queued, "w1", redelivered);
        assertThat(indexed(queued.id())).as("still listed while in progress: should this worker die").isTrue();
        Instant end = redelivered.plusSeconds(2);
        assertThat(runs.finish(claimed.toBuilder().status(RunStatus.COMPLETED).output(Json.object()).updatedAt(end)
                .completedAt(end).build()).written()).isTrue();
        assertUnlisted(queued.id());
        assertThat(runs.watch(queued.id(), end)).as("a finished run is never listed").isFalse();
        assertUnlisted(queued.id());
        assertThat(runs.watch(IDS.incrementAndGet(), end)).as("no such run: nothing is created").isFalse();
    }

    @Test
    void noWriteThatCreatesARunListsItAndAFailedCaseRunLeavesTheListingWithItsCaseInError() {
        Run plain = pending(T0, null);
        runs.create(plain);
        assertUnlisted(plain.id());

        long caseId = IDS.incrementAndGet();
        Run caseRun = pending(T0, caseId);
        Case kase = new Case(caseId, 1, 2, "Refund", "Open", Json.object(), T0, T0, caseRun.id());
        cases.create(kase, caseRun);
        assertUnlisted(caseRun.id());
        assertThat(runs.watch(caseRun.id(), T0.plusSeconds(180))).isTrue();
        Run leased = claim(caseRun, "w1", T0.plusSeconds(180));
        Instant end = T0.plusSeconds(182);
        assertThat(cases.finishFailedRun(leased.toBuilder().status(RunStatus.FAILED).error("boom").updatedAt(end)
                .completedAt(end).build()).written()).isTrue();
        assertUnlisted(caseRun.id());
        assertThat(cases.find(caseId).orElseThrow().status()).isEqualTo(Case.ERROR);
    }

    @Test
    void pagesListOnlyOlderRunsOldestFirstAcrossPages() {
        Instant old = Instant.parse("2020-01-01T00:00:00Z");
        // Same partition for all (IDs 64 apart), created a second apart, stored out of order.
        long base = (IDS.getAndAdd(1000) / 64 + 1) * 64;  // IDs up to base + 256 stay unused by others
        List<Run> made = new ArrayList<>();
        for (int i = 4; i >= 0; i--) {
            Run r = new Run(base + 64L * i, 1, 2, 3, false, 4, "api", "ci", "live", Json.object(), null, null,
                    old.plusSeconds(i), RunStatus.PENDING, null, null, List.of(), old.plusSeconds(i), null, null, 0,
                    null, null);
            runs.create(r);
            runs.watch(r.id(), r.createdAt());
            made.add(0, r);
        }
        int partition = (int) Math.floorMod(base, 64L);
        Instant cutoff = old.plusSeconds(4);  // the run created exactly then is not older
        List<Long> seen = new ArrayList<>();
        String after = null;
        ActiveRuns.Page page;
        int pages = 0;
        do {
            page = active.page(partition, cutoff, after, 2);
            pages++;
            for (ActiveRuns.Entry e : page.entries()) {
                seen.add(e.runId());
                after = e.position();
            }
        } while (page.more() && pages < 10);
        assertThat(seen).containsExactly(made.get(0).id(), made.get(1).id(), made.get(2).id(), made.get(3).id());
        assertThat(pages).isBetween(2, 3);
        assertThat(active.partitions()).isEqualTo(64);
    }

    @Test
    void theSweepersConditionalWritesHoldOnlyWhileTheRunHasNotMoved() {
        Run run = listed(T0, T0);
        ActiveRuns.Snapshot seen = active.read(run.id()).orElseThrow();
        assertThat(seen.status()).isEqualTo(RunStatus.PENDING);
        assertThat(seen.orgId()).isEqualTo(1);
        assertThat(seen.createdAt()).isEqualTo(T0);
        assertThat(seen.recoveries()).isZero();
        assertThat(seen.listed()).isTrue();
        assertThat(seen.leaseUntil()).isNull();

        Instant at = T0.plusSeconds(180);
        assertThat(active.recordRecovery(seen, at)).isTrue();
        assertThat(active.recordRecovery(seen, at)).as("a second sweep with the same read").isFalse();
        ActiveRuns.Snapshot recovered = active.read(run.id()).orElseThrow();
        assertThat(recovered.recoveries()).isEqualTo(1);
        assertThat(recovered.recoveredAt()).isEqualTo(at);
        assertThat(item(run.id()).get("recoveries").n()).isEqualTo("1");
        assertThat(item(run.id()).get("updated_at").s()).as("recoveries do not touch the public updated_at")
                .isEqualTo(T0.toString());

        claim(run, "w1", at.plusSeconds(1));
        assertThat(active.recordRecovery(recovered, at.plusSeconds(2))).as("a worker took it").isFalse();
        ActiveRuns.Snapshot leased = active.read(run.id()).orElseThrow();
        assertThat(leased.leaseUntil()).isEqualTo(at.plusSeconds(61));
        runs.release(runs.find(run.id()).orElseThrow());
        assertThat(active.recordRecovery(leased, at.plusSeconds(3))).as("released since").isFalse();
        assertThat(active.recordRecovery(active.read(run.id()).orElseThrow(), at.plusSeconds(300))).isTrue();

        assertThat(active.unlist(run.id())).as("not terminal: stays listed").isFalse();
        assertThat(active.read(IDS.incrementAndGet())).isEmpty();
    }

    @Test
    void theIndexCostsOneWriteUnitWhenARunIsListedAndOneWhenItEndsAndNothingOtherwise() {
        Run run = pending(T0, null);
        var put = table.client().putItem(b -> b.tableName(table.name()).item(RunItems.toItem(run))
                .returnConsumedCapacity(ReturnConsumedCapacity.INDEXES));
        // Created unlisted: the only index the PutItem writes is the runs list (gsi4), one unit.
        assertThat(put.consumedCapacity().globalSecondaryIndexes()).as("created unlisted").doesNotContainKey("gsi2");
        assertThat(put.consumedCapacity().globalSecondaryIndexes().get("gsi4").capacityUnits()).isEqualTo(1.0);

        var watch = table.client().updateItem(b -> b.tableName(table.name())
                .key(DynamoTable.key(RunItems.pk(run.id()), RunItems.SK))
                .updateExpression("SET gsi2pk = :pk, gsi2sk = :sk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(RunItems.activePartition(1)),
                        ":sk", AttributeValue.fromS(RunItems.activeSortKey(T0, run.id()))))
                .returnConsumedCapacity(ReturnConsumedCapacity.INDEXES));
        assertThat(watch.consumedCapacity().globalSecondaryIndexes().get("gsi2").capacityUnits()).isEqualTo(1.0);

        // What a checkpoint or a recovery writes: attributes the keys-only index does not hold.
        var checkpoint = table.client().updateItem(b -> b.tableName(table.name())
                .key(DynamoTable.key(RunItems.pk(run.id()), RunItems.SK))
                .updateExpression("SET steps = :steps, lease_until = :until, recoveries = :one")
                .expressionAttributeValues(Map.of(":steps", AttributeValue.fromS("[]"),
                        ":until", AttributeValue.fromN("1"), ":one", AttributeValue.fromN("1")))
                .returnConsumedCapacity(ReturnConsumedCapacity.INDEXES));
        assertThat(checkpoint.consumedCapacity().globalSecondaryIndexes()).as("keys unchanged: no index write")
                .isNullOrEmpty();

        Run claimed = claim(run, "w1", T0);
        Instant end = T0.plusSeconds(2);
        var finish = table.client().updateItem(runs.finishRequest(claimed.toBuilder().status(RunStatus.COMPLETED)
                .output(Json.object()).updatedAt(end).completedAt(end).build()).toBuilder()
                .returnConsumedCapacity(ReturnConsumedCapacity.INDEXES).build());
        assertThat(finish.consumedCapacity().globalSecondaryIndexes().get("gsi2").capacityUnits()).isEqualTo(1.0);
        assertUnlisted(run.id());
        Run plain = pending(T0, null);
        runs.create(plain);
        Run plainClaimed = claim(plain, "w1", T0);
        var plainFinish = table.client().updateItem(runs.finishRequest(plainClaimed.toBuilder()
                .status(RunStatus.COMPLETED).output(Json.object()).updatedAt(end).completedAt(end).build()).toBuilder()
                .returnConsumedCapacity(ReturnConsumedCapacity.INDEXES).build());
        assertThat(plainFinish.consumedCapacity().globalSecondaryIndexes()).as("never listed: nothing to remove")
                .isNullOrEmpty();
    }

    @Test
    void aTerminalRunLeftInTheIndexCanBeTakenOut() {
        Run run = pending(T0, null);
        Map<String, AttributeValue> item = new java.util.HashMap<>(RunItems.toItem(run));
        item.put("status", AttributeValue.fromS("completed"));  // as written by a path that forgot the index
        item.put("gsi2pk", AttributeValue.fromS(RunItems.activePartition(RunItems.activePartitionOf(run.id()))));
        item.put("gsi2sk", AttributeValue.fromS(RunItems.activeSortKey(T0, run.id())));
        table.client().putItem(b -> b.tableName(table.name()).item(item));
        ActiveRuns.Snapshot leftover = active.read(run.id()).orElseThrow();
        assertThat(leftover.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(leftover.listed()).isTrue();
        assertThat(active.unlist(run.id())).isTrue();
        assertUnlisted(run.id());
        assertThat(active.read(run.id()).orElseThrow().listed()).isFalse();
    }
}
