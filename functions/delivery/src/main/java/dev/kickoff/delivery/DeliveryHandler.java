package dev.kickoff.delivery;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.PowertoolsRunObserver;
import dev.kickoff.bootstrap.Settings;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.LambdaApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
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
public class DeliveryHandler extends MicronautRequestHandler<SQSEvent, SQSBatchResponse> {
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
        super(contextBuilder(environment));
    }

    @Override
    protected ApplicationContextBuilder newApplicationContextBuilder() {
        return contextBuilder(Map.of());
    }

    static ApplicationContextBuilder contextBuilder(Map<String, String> environment) {
        return new LambdaApplicationContextBuilder()
                .singletons(new CompositionRoot(Settings.fromEnvironment(environment)));
    }

    @Override
    public SQSBatchResponse execute(SQSEvent event) {
        Context context = getApplicationContext().findBean(Context.class).orElse(null);
        return Invocations.sqs(context, clock, DEADLINE_MARGIN, PowertoolsRunObserver::flush, event, processor);
    }
}
