package dev.kickoff.emulators;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryChaosTest {
    static SQSEvent sqs(int n) {
        SQSEvent event = new SQSEvent();
        event.setRecords(IntStream.range(0, n).mapToObj(i -> {
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId("m" + i);
            m.setBody("{\"n\":" + i + "}");
            return m;
        }).toList());
        return event;
    }

    static DynamodbEvent stream(int n) {
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(IntStream.range(0, n).mapToObj(i -> {
            DynamodbEvent.DynamodbStreamRecord r = new DynamodbEvent.DynamodbStreamRecord();
            r.setDynamodb(new StreamRecord().withSequenceNumber(String.format("%05d", i)));
            return r;
        }).toList());
        return event;
    }

    static void await(Map<String, AtomicInteger> seen, int copies, int records) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline && seen.values().stream().mapToInt(AtomicInteger::get).sum() < copies * records) {
            Thread.sleep(20);
        }
    }

    @Test
    void everySqsMessageReachesTheHandlerTwiceShuffledAndHalfTheCopiesComeLater() throws Exception {
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
        RequestHandler<SQSEvent, SQSBatchResponse> handler = (event, context) -> {
            batches.add(event.getRecords().stream().map(SQSEvent.SQSMessage::getMessageId).toList());
            event.getRecords().forEach(m -> seen.computeIfAbsent(m.getMessageId(), k -> new AtomicInteger()).incrementAndGet());
            return new SQSBatchResponse(List.of());
        };
        try (DeliveryChaos chaos = new DeliveryChaos(42)) {
            Object response = chaos.sqs(handler).handleRequest(sqs(10), null);
            assertThat(((SQSBatchResponse) response).getBatchItemFailures()).isEmpty();
            await(seen, 2, 10);
            assertThat(seen).hasSize(10);
            assertThat(seen.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(2));
            assertThat(batches).as("first copies, copies with them, copies later").hasSize(3);
            assertThat(batches.getFirst()).as("shuffled").isNotEqualTo(IntStream.range(0, 10).mapToObj(i -> "m" + i).toList());
            assertThat(chaos.sqsMessagesDuplicated()).isEqualTo(10);
            assertThat(chaos.summary()).contains("10 SQS messages").contains("delivered twice");
        }
    }

    @Test
    void aMessageIsKeptOnlyWhenEveryCopyDeliveredNowFailedIt() {
        // The handler fails every message the first time it sees it, as a worker finding the run leased by the other
        // copy would; the copy delivered with it succeeds. Messages whose second copy is delayed fail now: kept.
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        RequestHandler<SQSEvent, SQSBatchResponse> handler = (event, context) -> {
            List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
            for (SQSEvent.SQSMessage m : event.getRecords()) {
                if (seen.computeIfAbsent(m.getMessageId(), k -> new AtomicInteger()).incrementAndGet() == 1) {
                    failures.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
                }
            }
            return new SQSBatchResponse(failures);
        };
        try (DeliveryChaos chaos = new DeliveryChaos(7)) {
            DeliveryChaos.Plan<String> plan = new DeliveryChaos(7).plan(IntStream.range(0, 10).mapToObj(i -> "m" + i).toList());
            SQSBatchResponse response = (SQSBatchResponse) chaos.sqs(handler).handleRequest(sqs(10), null);
            List<String> kept = response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                    .sorted().toList();
            assertThat(kept).as("the messages whose copy comes later").isEqualTo(plan.delayed().stream().sorted().toList());
        }
    }

    @Test
    void aThrowingHandlerFailsTheCopyItWasGivenAndStreamRecordsAreReportedBySequenceNumber() throws Exception {
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        RequestHandler<DynamodbEvent, StreamsEventResponse> handler = (event, context) -> {
            event.getRecords().forEach(r -> seen.computeIfAbsent(r.getDynamodb().getSequenceNumber(),
                    k -> new AtomicInteger()).incrementAndGet());
            throw new IllegalStateException("boom");
        };
        try (DeliveryChaos chaos = new DeliveryChaos(3)) {
            StreamsEventResponse response = (StreamsEventResponse) chaos.stream(handler).handleRequest(stream(6), null);
            assertThat(response.getBatchItemFailures()).extracting(StreamsEventResponse.BatchItemFailure::getItemIdentifier)
                    .containsExactly("00000", "00001", "00002", "00003", "00004", "00005");
            await(seen, 2, 6);
            assertThat(seen.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(2));
            assertThat(chaos.streamRecordsDuplicated()).isEqualTo(6);
        }
    }

    /**
     * The summary the reliability suite reads is in a file, current within a second and final on close: a stack
     * stopped within 30 s of its start logged none, and Log4j, stopping at the same time, dropped the close line.
     */
    @Test
    void theSummaryIsKeptInAFileWhileDeliveringAndOnClose(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("delivery-chaos.txt");
        RequestHandler<SQSEvent, SQSBatchResponse> handler = (event, context) -> new SQSBatchResponse(List.of());
        try (DeliveryChaos chaos = new DeliveryChaos(5, file)) {
            assertThat(Files.readString(file)).isEqualTo(chaos.summary() + "\n").contains("0 SQS messages");
            chaos.sqs(handler).handleRequest(sqs(4), null);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Files.readString(file).contains("4 SQS messages") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(Files.readString(file)).as("rewritten while the stack runs").contains("4 SQS messages");
            chaos.stream((DynamodbEvent event, com.amazonaws.services.lambda.runtime.Context context) ->
                    new StreamsEventResponse(List.of())).handleRequest(stream(3), null);
            chaos.close();
            assertThat(Files.readString(file)).as("final on close").isEqualTo(chaos.summary() + "\n")
                    .contains("4 SQS messages and 3 stream records delivered twice");
        }
        assertThat(dir.resolve("delivery-chaos.txt.tmp")).doesNotExist();
    }
}
