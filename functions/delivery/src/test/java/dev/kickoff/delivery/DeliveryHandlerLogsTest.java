package dev.kickoff.delivery;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.LocalLambdaContext;
import dev.kickoff.emulators.testing.EventFixtures;
import dev.kickoff.emulators.testing.TestAws;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The delivery function's log lines keep Powertools' request fields: a batch's messages are processed on virtual
 * threads, and the logging context (MDC) is carried into each (it was not, and those lines lost the request ID,
 * cold start and trace ID). Driven through the handler class with an SQS event fixture.
 */
class DeliveryHandlerLogsTest {
    /** Keeps what a real appender would write, context data (the MDC) included. */
    static final class Captured extends AbstractAppender {
        final List<LogEvent> events = new CopyOnWriteArrayList<>();

        Captured() {
            super("captured", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            events.add(event.toImmutable());
        }
    }

    @Test
    void everyLineOfABatchCarriesTheInvocationsRequestFields() {
        var resources = TestAws.get().provision("delivery-logs");
        FunctionSpec spec = FunctionSpec.of("DeliveryFunction", resources);
        Map<String, String> env = new HashMap<>(spec.environment());
        env.put("KICKOFF_METRICS", "off");
        DeliveryHandler handler = new DeliveryHandler(env);
        LocalLambdaContext context = new LocalLambdaContext(spec);

        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        Captured captured = new Captured();
        captured.start();
        logging.getConfiguration().getRootLogger().addAppender(captured, null, null);
        logging.updateLoggers();
        SQSBatchResponse response;
        try {
            response = handler.handleRequest(EventFixtures.sqs("events/delivery-messages-naming-nothing.json"), context);
        } finally {
            logging.getConfiguration().getRootLogger().removeAppender("captured");
            logging.updateLoggers();
            captured.stop();
        }

        assertThat(response.getBatchItemFailures()).as("messages that name no delivery are dropped").isEmpty();
        List<LogEvent> lines = captured.events.stream()
                .filter(e -> e.getLoggerName().equals(DeliveryMessageProcessor.class.getName())).toList();
        assertThat(lines).as("one line per message, each logged on its own virtual thread").hasSize(3);
        assertThat(lines).allSatisfy(line -> {
            assertThat(line.getThreadName()).doesNotContain("main");
            assertThat(line.getContextData().toMap())
                    .containsEntry("function_request_id", context.getAwsRequestId())
                    .containsEntry("function_name", "DeliveryFunction")
                    .containsKey("cold_start");
        });
    }
}
