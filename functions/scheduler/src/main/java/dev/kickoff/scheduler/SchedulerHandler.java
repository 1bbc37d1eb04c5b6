package dev.kickoff.scheduler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.PowertoolsRunObserver;
import dev.kickoff.lambda.Invocations;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The scheduler Lambda ({@code template.yaml}: {@code dev.kickoff.scheduler.SchedulerHandler::handleRequest}), fed by
 * the fires queue: the shared skeleton ({@link Invocations#sqs}) around {@link ScheduleFireProcessor}, reporting
 * partial batch failures. The sweeper (and the API, for a fire due within two minutes of a save) sends each fire held
 * back until its time, so a fire is handled within a second or two of it.
 */
public class SchedulerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    /** A fire takes a few requests; none is started in the invocation's last seconds. */
    static final Duration DEADLINE_MARGIN = Duration.ofSeconds(5);

    private final ScheduleFireProcessor processor;
    private final Clock clock;

    /** Used by Lambda: configuration comes from the function's environment variables. */
    public SchedulerHandler() {
        this(Map.of());
    }

    /** Used by the local stack and the tests: the function's template environment over the process's. */
    public SchedulerHandler(Map<String, String> environment) {
        this(CompositionRoot.fromEnvironment(environment));
    }

    /** Built from the composition root once per instance (the tests pass one with their own clock). */
    public SchedulerHandler(CompositionRoot root) {
        this.processor = new ScheduleFireProcessor(root.scheduleFirer(), root.scheduleFireRedelivery());
        this.clock = root.clock();
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        return Invocations.sqs(context, clock, DEADLINE_MARGIN, PowertoolsRunObserver::flush, event, processor);
    }
}
