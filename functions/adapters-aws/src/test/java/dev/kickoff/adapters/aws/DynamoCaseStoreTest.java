package dev.kickoff.adapters.aws;

import dev.kickoff.core.cases.Case;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.CaseStore.WriteResult;
import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.RunStore.ClaimResult;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.emulators.testing.TestAws;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The case item contract and the transactions that tie a case to its run, against DynamoDB Local. */
class DynamoCaseStoreTest {
    static DynamoTable table;
    static DynamoRunStore runs;
    static DynamoCaseStore store;
    static final AtomicLong IDS = new AtomicLong(System.nanoTime() & 0xffffffffL);
    static final AtomicLong WORKFLOWS = new AtomicLong(1000);
    static final Instant T0 = Instant.parse("2026-05-28T17:04:12.120Z");

    @BeforeAll
    static void setUp() {
        var stack = TestAws.get().provision("cases");
        table = new DynamoTable(AwsClients.dynamoDb(), stack.table("KickoffTable").name());
        runs = new DynamoRunStore(table);
        store = new DynamoCaseStore(table, runs);
    }

    record Pair(Case kase, Run run) {
    }

    static Pair newCase(long workflowId, Instant at) {
        long caseId = IDS.incrementAndGet();
        long runId = IDS.incrementAndGet();
        Case kase = new Case(caseId, 1, workflowId, "Refund request", "Open",
                Json.parse("{\"amount\": 12.50, \"reason\": \"late delivery\"}"), at, at, runId);
        Run run = new Run(runId, 1, workflowId, 1, false, 4, "api", "ci", "live", kase.attributes(), null, caseId,
                at, RunStatus.PENDING, null, null, List.of(), at, null, null, 0, null, null);
        return new Pair(kase, run);
    }

    static Map<String, AttributeValue> item(String pk, String sk) {
        return table.get(pk, sk, true);
    }

    @Test
    void aCaseIsStoredWithItsRunAsTheContractSays() {
        long wf = WORKFLOWS.incrementAndGet();
        Pair p = newCase(wf, T0);
        store.create(p.kase(), p.run());

        Map<String, AttributeValue> item = item("CASE#" + p.kase().id(), "CASE");
        assertThat(item.keySet()).containsExactlyInAnyOrder("pk", "sk", "type", "case_id", "org_id", "workflow_id",
                "subject", "status", "attributes", "created_at", "updated_at", "run_id", "gsi1pk", "gsi1sk");
        assertThat(item.get("type").s()).isEqualTo("case");
        assertThat(item.get("case_id").n()).isEqualTo(Long.toString(p.kase().id()));
        assertThat(item.get("org_id").n()).isEqualTo("1");
        assertThat(item.get("workflow_id").n()).isEqualTo(Long.toString(wf));
        assertThat(item.get("status").s()).isEqualTo("Open");
        assertThat(item.get("attributes").s()).isEqualTo("{\"amount\":12.50,\"reason\":\"late delivery\"}");
        assertThat(item.get("created_at").s()).isEqualTo("2026-05-28T17:04:12.120Z");
        assertThat(item.get("run_id").n()).isEqualTo(Long.toString(p.run().id()));
        assertThat(item.get("gsi1pk").s()).isEqualTo("CASES#1#" + wf + "#Open");
        assertThat(item.get("gsi1sk").s()).isEqualTo("2026-05-28T17:04:12.120Z#" + String.format("%016d", p.kase().id()));

        assertThat(store.find(p.kase().id())).contains(p.kase());
        assertThat(runs.find(p.run().id()).orElseThrow().caseId()).isEqualTo(p.kase().id());
    }

    @Test
    void aTakenIdStoresNeitherHalf() {
        Pair first = newCase(WORKFLOWS.incrementAndGet(), T0);
        store.create(first.kase(), first.run());
        Pair second = newCase(first.kase().workflowId(), T0);
        Case sameId = new Case(first.kase().id(), 1, second.kase().workflowId(), "other", "Open", Json.object(), T0, T0,
                second.run().id());
        assertThatThrownBy(() -> store.create(sameId, second.run())).isInstanceOf(DuplicateIdException.class);
        assertThat(runs.find(second.run().id())).as("the run of a case that was not stored").isEmpty();
        assertThat(store.find(first.kase().id()).orElseThrow().subject()).isEqualTo("Refund request");
    }

    @Test
    void anSdkRetryOfACreateThatSucceededIsASuccess() {
        Pair p = newCase(WORKFLOWS.incrementAndGet(), T0);
        store.create(p.kase(), p.run());
        store.create(p.kase(), p.run());  // same client request token: DynamoDB answers the first result
        assertThat(store.list(1, p.kase().workflowId(), "Open", null, 10).items()).hasSize(1);
    }

    @Test
    void listsByStatusNewestFirstInPages() {
        long wf = WORKFLOWS.incrementAndGet();
        List<Long> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Pair p = newCase(wf, T0.plusSeconds(i));
            store.create(p.kase(), p.run());
            created.add(p.kase().id());
        }
        store.create(newCase(WORKFLOWS.incrementAndGet(), T0).kase(), newCase(wf, T0).run());  // another workflow
        List<Long> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var page = store.list(1, wf, "Open", cursor, 3);
            page.items().forEach(c -> seen.add(c.id()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(created.reversed());
        assertThat(pages).isBetween(3, 4);
        assertThat(store.list(1, wf, "Closed", null, 3).items()).isEmpty();
        assertThat(store.list(2, wf, "Open", null, 3).items()).as("another org").isEmpty();

        String cursorOfThisList = store.list(1, wf, "Open", null, 3).nextCursor();
        assertThatThrownBy(() -> store.list(1, wf + 1, "Open", cursorOfThisList, 3))
                .isInstanceOf(KickoffException.class).hasMessageContaining("invalid cursor");
        assertThatThrownBy(() -> store.list(2, wf, "Open", cursorOfThisList, 3)).isInstanceOf(KickoffException.class);
        assertThatThrownBy(() -> store.list(1, wf, "Closed", cursorOfThisList, 3)).isInstanceOf(KickoffException.class);
        assertThatThrownBy(() -> store.list(1, wf, "Open", "!!not base64", 3)).isInstanceOf(KickoffException.class);
    }

    Run claimed(Pair p, String owner) {
        return ((ClaimResult.Claimed) runs.claim(p.run().id(), owner, T0, T0.plusSeconds(60))).run();
    }

    @Test
    void casesCreatedOnAWholeSecondSortByTimeToo() {
        long wf = WORKFLOWS.incrementAndGet();
        Instant whole = Instant.parse("2026-05-28T17:04:12Z");
        Pair onTheSecond = newCase(wf, whole);
        Pair later = newCase(wf, whole.plusMillis(120));
        Pair earlier = newCase(wf, whole.minusMillis(5));
        for (Pair p : List.of(onTheSecond, later, earlier)) {
            store.create(p.kase(), p.run());
        }
        assertThat(item("CASE#" + onTheSecond.kase().id(), "CASE").get("gsi1sk").s()).startsWith("2026-05-28T17:04:12.000Z#");
        assertThat(store.list(1, wf, "Open", null, 10).items()).extracting(Case::id)
                .containsExactly(later.kase().id(), onTheSecond.kase().id(), earlier.kase().id());
    }

    @Test
    void aSetCaseWriteNeedsTheLeaseAndHappensOncePerKey() {
        long wf = WORKFLOWS.incrementAndGet();
        Pair p = newCase(wf, T0);
        store.create(p.kase(), p.run());
        Run run = claimed(p, "w1");
        Case awaiting = p.kase().with("Awaiting customer", Json.parse("{\"amount\": 1}"), T0.plusSeconds(5));

        assertThat(store.write(awaiting, run, run.id() + "#ask")).isEqualTo(WriteResult.WRITTEN);
        var item = item("CASE#" + p.kase().id(), "CASE");
        assertThat(item.get("status").s()).isEqualTo("Awaiting customer");
        assertThat(item.get("gsi1pk").s()).isEqualTo("CASES#1#" + wf + "#Awaiting customer");
        assertThat(item.get("gsi1sk").s()).as("the list position is the creation time").startsWith(T0.toString());
        assertThat(item.get("updated_at").s()).isEqualTo(T0.plusSeconds(5).toString());
        assertThat(store.list(1, wf, "Awaiting customer", null, 5).items()).extracting(Case::id).containsExactly(p.kase().id());
        assertThat(store.list(1, wf, "Open", null, 5).items()).isEmpty();

        Case again = p.kase().with("Closed", Json.object(), T0.plusSeconds(9));
        assertThat(store.write(again, run, run.id() + "#ask")).isEqualTo(WriteResult.ALREADY_WRITTEN);
        assertThat(store.find(p.kase().id()).orElseThrow().status()).isEqualTo("Awaiting customer");

        Run impostor = run.toBuilder().lease("w2", T0.plusSeconds(60)).build();
        assertThat(store.write(again, impostor, run.id() + "#close")).isEqualTo(WriteResult.LEASE_LOST);
        assertThat(store.find(p.kase().id()).orElseThrow().status()).isEqualTo("Awaiting customer");
    }

    @Test
    void aFailedRunAndItsCaseInErrorAreOneWrite() {
        long wf = WORKFLOWS.incrementAndGet();
        Pair p = newCase(wf, T0);
        store.create(p.kase(), p.run());
        Run run = claimed(p, "w1");
        Instant end = T0.plusSeconds(30);
        Run failed = run.toBuilder().status(RunStatus.FAILED).error("step 'x' failed: boom").updatedAt(end)
                .completedAt(end).build();

        Run stranger = failed.toBuilder().lease("w2", T0.plusSeconds(60)).build();
        assertThat(store.finishFailedRun(stranger).written()).as("not the lease holder").isFalse();
        assertThat(store.find(p.kase().id()).orElseThrow().status()).isEqualTo("Open");
        assertThat(runs.find(run.id()).orElseThrow().status()).isEqualTo(RunStatus.IN_PROGRESS);

        assertThat(store.finishFailedRun(failed).written()).isTrue();
        Case parked = store.find(p.kase().id()).orElseThrow();
        assertThat(parked.status()).isEqualTo("Error");
        assertThat(parked.updatedAt()).isEqualTo(end);
        assertThat(item("CASE#" + p.kase().id(), "CASE").get("gsi1pk").s()).isEqualTo("CASES#1#" + wf + "#Error");
        Run stored = runs.find(run.id()).orElseThrow();
        assertThat(stored.status()).isEqualTo(RunStatus.FAILED);
        assertThat(stored.error()).isEqualTo("step 'x' failed: boom");
        assertThat(stored.leaseOwner()).isNull();
    }
}
