package dev.kickoff.delivery;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.kickoff.bootstrap.MicronautFunction;
import dev.kickoff.bootstrap.PowertoolsRunObserver;
import jakarta.inject.Inject;
import dev.kickoff.lambda.Invocations;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The delivery Lambda ({@code template.yaml}: {@code dev.kickoff.delivery.DeliveryHandler::handleRequest}), fed
 * by the webhook delivery queue: the shared skeleton ({@link Invocations#sqs}, each message on its own virtual
 * thread with the invocation's logging context) around {@link DeliveryMessageProcessor}. Reports partial batch
 * failures.
 */
public class DeliveryHandler extends MicronautFunction<SQSEvent, SQSBatchResponse> {
    /** Deliveries have their own request deadline (10 s each); the invocation's keeps back at most this. */
    static final Duration DEADLINE_MARGIN = Duration.ofSeconds(5);

    @Inject
    DeliveryMessageProcessor processor;
    @Inject
    Clock clock;

    /** Used by Lambda: configuration comes from the function's environment variables. */
    public DeliveryHandler() {
        super();
    }

    /** Used by the local stack and the tests: the function's template environment over the process's. */
    public DeliveryHandler(Map<String, String> environment) {
        super(environment);
    }

    @Override
    public SQSBatchResponse execute(SQSEvent event) {
        return Invocations.sqs(lambdaContext(), clock, DEADLINE_MARGIN, PowertoolsRunObserver::flush, event, processor);
    }
}
