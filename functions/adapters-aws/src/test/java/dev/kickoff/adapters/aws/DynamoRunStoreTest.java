package dev.kickoff.adapters.aws;

import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.port.RunStore.ClaimResult;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.StepRecord;
import dev.kickoff.emulators.testing.TestAws;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lease protocol, against DynamoDB Local: the conditions are the product here, so they are tested for real. */
class DynamoRunStoreTest {
    static DynamoRunStore store;
    static String table;
    static final AtomicLong IDS = new AtomicLong(System.nanoTime() & 0xffffffffL);
    static final Instant T0 = Instant.parse("2026-05-19T12:34:56Z");

    @BeforeAll
    static void setUp() {
        var aws = TestAws.get();
        var stack = aws.provision("runs");
        // The client is built the way the functions build it: endpoints come from the SDK's own settings.
        table = stack.table("KickoffTable").name();
        store = new DynamoRunStore(new DynamoTable(AwsClients.dynamoDb(), table));
    }

    static Run pending() {
        return new Run(IDS.incrementAndGet(), 1, 2, 3, false, 4, "api", "ci", "live",
                Json.parse("{\"amount\": 12.50, \"big\": 12345678901234567890}"), "conn_1", null, T0,
                RunStatus.PENDING, null, null, List.of(), T0, null, null, 0, null, null);
    }

    @Test
    void storesARunAndReadsItBackExactly() {
        Run run = pending();
        store.create(run);
        Run read = store.find(run.id()).orElseThrow();
        assertThat(read).isEqualTo(run);
        assertThat(Json.write(read.input())).isEqualTo("{\"amount\":12.50,\"big\":12345678901234567890}");
        // Another run under that ID is a collision, even one with identical content (two identical requests that
        // drew the same ID): each put carries its own token.
        Run other = new Run(run.id(), 9, 2, 3, false, 4, "api", "ci", "live", Json.object(), null, null, T0,
                RunStatus.PENDING, null, null, List.of(), T0, null, null, 0, null, null);
        assertThatThrownBy(() -> store.create(other)).isInstanceOf(DuplicateIdException.class);
        assertThat(store.find(IDS.incrementAndGet())).isEmpty();
    }

    @Test
    void anSdkRetryOfAPutThatLandedRecognisesItsOwnRunEvenAfterAWorkerMovedIt() {
        Run run = pending();
        store.create(run);
        var stored = new java.util.HashMap<>(rawItem(run.id()));
        // What the retry sends: the same request, with the same put token.
        var retried = new java.util.HashMap<>(RunItems.toItem(run));
        retried.put(DynamoRunStore.CREATED_BY, stored.get(DynamoRunStore.CREATED_BY));
        assertThat(DynamoRunStore.sameRun(retried, stored)).isTrue();
        // A worker ended the run between the put and its retry: still the same run.
        stored.put("status", AttributeValue.fromS("completed"));
        stored.put("output", AttributeValue.fromS("{\"total\":1}"));
        assertThat(DynamoRunStore.sameRun(retried, stored)).isTrue();
        // Another put (another request) is not.
        retried.put(DynamoRunStore.CREATED_BY, AttributeValue.fromS("another"));
        assertThat(DynamoRunStore.sameRun(retried, stored)).isFalse();
    }

    static java.util.Map<String, AttributeValue> rawItem(long runId) {
        return AwsClients.dynamoDb().getItem(b -> b.tableName(table).consistentRead(true)
                .key(java.util.Map.of("pk", AttributeValue.fromS("RUN#" + runId), "sk", AttributeValue.fromS("RUN"))))
                .item();
    }

    @Test
    void claimTakesAPendingRunOnceAndReportsWhyOthersCannot() {
        Run run = pending();
        store.create(run);
        var first = store.claim(run.id(), "w1", T0, T0.plusSeconds(60));
        assertThat(first).isInstanceOf(ClaimResult.Claimed.class);
        Run claimed = ((ClaimResult.Claimed) first).run();
        assertThat(claimed.status()).isEqualTo(RunStatus.IN_PROGRESS);
        assertThat(claimed.leaseOwner()).isEqualTo("w1");
        assertThat(claimed.attempts()).isEqualTo(1);
        assertThat(claimed.startedAt()).isEqualTo(T0);

        var second = store.claim(run.id(), "w2", T0.plusSeconds(1), T0.plusSeconds(61));
        assertThat(second).isInstanceOf(ClaimResult.Busy.class);
        assertThat(((ClaimResult.Busy) second).run().leaseUntil()).isEqualTo(T0.plusSeconds(60));

        var afterExpiry = store.claim(run.id(), "w2", T0.plusSeconds(61), T0.plusSeconds(121));
        assertThat(afterExpiry).isInstanceOf(ClaimResult.Claimed.class);
        assertThat(((ClaimResult.Claimed) afterExpiry).run().attempts()).isEqualTo(2);
        assertThat(((ClaimResult.Claimed) afterExpiry).run().startedAt()).as("first start is kept").isEqualTo(T0);

        assertThat(store.claim(IDS.incrementAndGet(), "w1", T0, T0)).isInstanceOf(ClaimResult.Missing.class);
    }

    @Test
    void onlyTheLeaseHolderCheckpointsAndFinishes() {
        Run run = pending();
        store.create(run);
        Run w1 = ((ClaimResult.Claimed) store.claim(run.id(), "w1", T0, T0.plusSeconds(60))).run();
        StepRecord step = new StepRecord("a", "transform", "completed", Json.parse("{\"x\":1}"),
                Json.parse("{\"y\":2}"), null, T0, T0.plusMillis(5));
        assertThat(store.checkpoint(w1.toBuilder().steps(List.of(step)).lease("w1", T0.plusSeconds(90)).build())
                .written()).isTrue();
        assertThat(store.find(run.id()).orElseThrow().steps()).containsExactly(step);

        Run impostor = w1.toBuilder().lease("w2", T0.plusSeconds(90)).completedAt(T0.plusSeconds(1)).build();
        assertThat(store.checkpoint(impostor).written()).isFalse();
        var refused = store.finish(impostor.toBuilder().status(RunStatus.FAILED).build());
        assertThat(refused).as("refused, with the run as it is now")
                .isEqualTo(new RunStore.WriteResult.Refused(store.find(run.id()).orElseThrow()));

        Run done = w1.toBuilder().status(RunStatus.COMPLETED).output(Json.parse("{\"ok\":true}"))
                .steps(List.of(step)).completedAt(T0.plusSeconds(1)).updatedAt(T0.plusSeconds(1)).build();
        assertThat(store.finish(done).written()).isTrue();
        Run read = store.find(run.id()).orElseThrow();
        assertThat(read.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(read.leaseOwner()).isNull();
        assertThat(read.leaseUntil()).isNull();
        assertThat(Json.write(read.output())).isEqualTo("{\"ok\":true}");
        assertThat(store.finish(done).written()).as("a finished run cannot be finished again").isFalse();
        assertThat(store.claim(run.id(), "w3", T0.plusSeconds(999), T0.plusSeconds(1999)))
                .isInstanceOf(ClaimResult.Finished.class);
    }

    @Test
    void finishUnclaimedEndsARunNobodyClaimedIfNothingMovedItSinceItWasRead() {
        Run run = pending();
        store.create(run);
        StepRecord step = new StepRecord("t", "transform", StepRecord.COMPLETED, null, Json.parse("{\"total\":3998}"),
                null, T0.plusMillis(3), T0.plusMillis(4));
        java.util.function.UnaryOperator<Run> ended = r -> r.toBuilder().status(RunStatus.COMPLETED)
                .output(Json.parse("{\"total\":3998}")).steps(List.of(step)).attempts(1).startedAt(T0.plusMillis(3))
                .updatedAt(T0.plusMillis(4)).completedAt(T0.plusMillis(4)).build();
        Run done = ended.apply(run);

        assertThat(store.finishUnclaimed(done, T0.minusMillis(1)).written()).as("not as it was read").isFalse();
        assertThat(store.finishUnclaimed(done, run.updatedAt()).written()).isTrue();
        Run read = store.find(run.id()).orElseThrow();
        assertThat(read).isEqualTo(done);
        assertThat(store.finishUnclaimed(done, run.updatedAt()).written()).as("no longer pending").isFalse();

        Run claimed = pending();
        store.create(claimed);
        store.claim(claimed.id(), "w1", T0, T0.plusSeconds(60));
        assertThat(store.finishUnclaimed(ended.apply(claimed), claimed.updatedAt()).written()).as("a worker holds it")
                .isFalse();
        assertThat(store.find(claimed.id()).orElseThrow().status()).isEqualTo(RunStatus.IN_PROGRESS);
        assertThat(store.finishUnclaimed(ended.apply(pending()), T0).written()).as("no such run").isFalse();
    }

    @Test
    void aMessageThatCameBeforeItsRunIsAnsweredOnceTheWriteLands() throws Exception {
        Run run = pending();
        try (var pool = Executors.newSingleThreadExecutor()) {
            var read = pool.submit(() -> store.findQueued(run.id()));
            Thread.sleep(20);  // the queue delivered the message; the write that stores the run is still on its way
            store.create(run);
            assertThat(read.get()).contains(run);
        }
        assertThat(new DynamoRunStore(new DynamoTable(AwsClients.dynamoDb(), table), java.util.List.of(java.time.Duration.ofMillis(1)))
                .findQueued(IDS.incrementAndGet())).as("a run never stored, after the re-reads").isEmpty();
    }

    @Test
    void concurrentClaimsHaveExactlyOneWinner() throws Exception {
        Run run = pending();
        store.create(run);
        List<Callable<ClaimResult>> claims = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String owner = "w" + i;
            claims.add(() -> store.claim(run.id(), owner, T0, T0.plusSeconds(60)));
        }
        try (var pool = Executors.newFixedThreadPool(8)) {
            int winners = 0;
            for (Future<ClaimResult> f : pool.invokeAll(claims)) {
                if (f.get() instanceof ClaimResult.Claimed) {
                    winners++;
                }
            }
            assertThat(winners).isEqualTo(1);
        }
    }
}
