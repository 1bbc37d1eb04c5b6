package dev.kickoff.lambda;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.kickoff.emulators.LocalLambdaContext;
import dev.kickoff.emulators.testing.EventFixtures;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The handler skeleton: logging context in every record's thread, partial failures, deadline, flush. */
class InvocationsTest {
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void everyMessageOfABatchSeesPowertoolsRequestFieldsOnItsOwnThread() {
        SQSEvent event = EventFixtures.sqs("events/sqs-three-messages.json");
        LocalLambdaContext context = new LocalLambdaContext("DeliveryFunction", 1024, 30);
        Map<String, Map<String, String>> seen = new ConcurrentHashMap<>();
        List<Thread> threads = new CopyOnWriteArrayList<>();
        MDC.put("leaked", "from the caller's earlier work");

        Invocations.sqs(context, CLOCK, Duration.ofSeconds(5), () -> { }, event, (message, deadline) -> {
            seen.put(message.getMessageId(), MDC.getCopyOfContextMap());
            threads.add(Thread.currentThread());
            MDC.put("mine", message.getMessageId());  // stays with this message
            return true;
        });

        assertThat(threads).as("each message on its own virtual thread").allMatch(Thread::isVirtual)
                .doesNotHaveDuplicates();
        assertThat(seen).hasSize(3).allSatisfy((id, mdc) -> {
            assertThat(mdc).containsEntry("function_request_id", context.getAwsRequestId())
                    .containsEntry("function_name", "DeliveryFunction")
                    .containsKey("cold_start")
                    .doesNotContainKey("mine");
        });
        MDC.clear();
    }

    @Test
    void onlyTheMessagesThatMustStayAreReportedAndAThrowingOneIsKept() {
        SQSEvent event = EventFixtures.sqs("events/sqs-three-messages.json");
        AtomicInteger flushed = new AtomicInteger();

        SQSBatchResponse response = Invocations.sqs(null, CLOCK, Duration.ofSeconds(5), flushed::incrementAndGet,
                event, (message, deadline) -> switch (message.getMessageId()) {
                    case "m-1" -> true;
                    case "m-2" -> false;
                    default -> throw new IllegalStateException("a bug");
                });

        assertThat(response.getBatchItemFailures()).extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly("m-2", "m-3");
        assertThat(flushed).hasValue(1);
    }

    @Test
    void theDeadlineIsTheInvocationsEndLessAMarginAndTheFlushHappensWhateverHappens() {
        var context = fixedRemaining(60_000);
        assertThat(Duration.between(NOW, Deadlines.of(NOW, context, Duration.ofSeconds(10))))
                .isEqualTo(Duration.ofSeconds(50));
        assertThat(Deadlines.of(NOW, fixedRemaining(4_000), Duration.ofSeconds(10)))
                .as("a quarter of a short invocation").isEqualTo(NOW.plusSeconds(3));
        assertThat(Deadlines.of(NOW, null, Duration.ofSeconds(10))).isNull();

        AtomicInteger flushed = new AtomicInteger();
        assertThatThrownBy(() -> Invocations.scheduled(context, CLOCK, Duration.ofSeconds(10), flushed::incrementAndGet,
                deadline -> {
                    assertThat(deadline).isEqualTo(NOW.plusSeconds(50));
                    throw new IllegalStateException("boom");
                })).hasMessage("boom");
        assertThat(flushed).hasValue(1);
    }

    @Test
    void aStreamBatchStopsAtItsFirstFailureAndReportsItsSequenceNumber() {
        DynamodbEvent event = EventFixtures.dynamodb("events/dynamodb-three-records.json");
        List<String> processed = new CopyOnWriteArrayList<>();

        StreamsEventResponse response = Invocations.streams(null, () -> { }, event, record -> {
            processed.add(record.getEventID());
            return !"e-2".equals(record.getEventID());
        });

        assertThat(processed).containsExactly("e-1", "e-2");
        assertThat(response.getBatchItemFailures()).extracting(StreamsEventResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly("200");
        assertThat(Invocations.streams(null, () -> { }, event, record -> true).getBatchItemFailures()).isEmpty();
    }

    /** A context whose remaining time does not shrink while a loaded machine runs the test (wall-clock free). */
    private static Context fixedRemaining(int millis) {
        var local = new LocalLambdaContext("SweeperFunction", 1024, 60);
        return new Context() {
            @Override public String getAwsRequestId() { return local.getAwsRequestId(); }
            @Override public String getLogGroupName() { return local.getLogGroupName(); }
            @Override public String getLogStreamName() { return local.getLogStreamName(); }
            @Override public String getFunctionName() { return local.getFunctionName(); }
            @Override public String getFunctionVersion() { return local.getFunctionVersion(); }
            @Override public String getInvokedFunctionArn() { return local.getInvokedFunctionArn(); }
            @Override public CognitoIdentity getIdentity() { return local.getIdentity(); }
            @Override public ClientContext getClientContext() { return local.getClientContext(); }
            @Override public int getRemainingTimeInMillis() { return millis; }
            @Override public int getMemoryLimitInMB() { return local.getMemoryLimitInMB(); }
            @Override public LambdaLogger getLogger() { return local.getLogger(); }
        };
    }
}
