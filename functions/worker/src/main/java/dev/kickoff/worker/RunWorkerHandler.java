package dev.kickoff.worker;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.kickoff.bootstrap.PowertoolsRunObserver;
import dev.kickoff.bootstrap.Settings;
import dev.kickoff.bootstrap.CompositionRoot;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.LambdaApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The worker Lambda ({@code template.yaml}: {@code dev.kickoff.worker.RunWorkerHandler::handleRequest}), fed by
 * the runs queue. Reports partial batch failures: a message stays on the queue only if its run still needs it.
 */
public class RunWorkerHandler extends MicronautRequestHandler<SQSEvent, SQSBatchResponse> {
    /** Longer than a step's template budget (2 s), with room for the checkpoint and the new message. */
    static final Duration DEADLINE_MARGIN = Duration.ofSeconds(5);

    @Inject
    RunWorker worker;

    /** Used by Lambda: configuration comes from the function's environment variables. */
    public RunWorkerHandler() {
        super();
    }

    /** Used by the local stack and the tests: the function's template environment over the process's. */
    public RunWorkerHandler(Map<String, String> environment) {
        super(contextBuilder(environment));
    }

    /**
     * When runs must stop starting steps: the invocation's end less a margin for the step in flight and the
     * checkpoint after it (a quarter of the time left, at most {@link #DEADLINE_MARGIN}: 5 s of a 30 s timeout).
     */
    static Instant deadline(Instant now, Context context) {
        if (context == null) {
            return null;
        }
        Duration remaining = Duration.ofMillis(Math.max(0, context.getRemainingTimeInMillis()));
        Duration margin = remaining.dividedBy(4);
        return now.plus(remaining).minus(margin.compareTo(DEADLINE_MARGIN) > 0 ? DEADLINE_MARGIN : margin);
    }

    @Override
    protected ApplicationContextBuilder newApplicationContextBuilder() {
        return contextBuilder(Map.of());
    }

    /** The composition root is built here, once per instance (during init, so SnapStart captures it). */
    static ApplicationContextBuilder contextBuilder(Map<String, String> environment) {
        return new LambdaApplicationContextBuilder()
                .singletons(new CompositionRoot(Settings.fromEnvironment(environment)));
    }

    @Override
    public SQSBatchResponse execute(SQSEvent event) {
        Context context = getApplicationContext().findBean(Context.class).orElse(null);
        Instant deadline = deadline(Instant.now(), context);
        try {
            return context == null ? worker.handle(event, deadline)
                    : PowertoolsLogging.withLogging(context, () -> worker.handle(event, deadline));
        } finally {
            PowertoolsRunObserver.flush();
        }
    }
}
