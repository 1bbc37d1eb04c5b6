package dev.kickoff.worker;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.kickoff.bootstrap.MicronautFunction;
import dev.kickoff.bootstrap.PowertoolsRunObserver;
import dev.kickoff.lambda.Invocations;
import jakarta.inject.Inject;

import java.util.Map;

/**
 * The worker Lambda ({@code template.yaml}: {@code dev.kickoff.worker.RunWorkerHandler::handleRequest}), fed by the
 * runs queue: the shared skeleton ({@link Invocations#sqs}) around {@link RunMessageProcessor}. Reports partial
 * batch failures: a message stays on the queue only if its run still needs it. No step is started in the last part
 * of the invocation (a quarter of the time left, at most {@code RunTimings.workerDeadlineMargin}, 5 s of 30 s).
 */
public class RunWorkerHandler extends MicronautFunction<SQSEvent, SQSBatchResponse> {
    @Inject
    RunMessageProcessor processor;
    @Inject
    WorkerBeans.Frame frame;

    /** Used by Lambda: configuration comes from the function's environment variables. */
    public RunWorkerHandler() {
        super();
    }

    /** Used by the local stack and the tests: the function's template environment over the process's. */
    public RunWorkerHandler(Map<String, String> environment) {
        super(environment);
    }

    @Override
    public SQSBatchResponse execute(SQSEvent event) {
        return Invocations.sqs(lambdaContext(), frame.clock(), frame.deadlineMargin(), PowertoolsRunObserver::flush,
                event, processor);
    }
}
