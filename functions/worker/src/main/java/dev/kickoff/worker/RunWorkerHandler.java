package dev.kickoff.worker;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.PowertoolsRunObserver;
import dev.kickoff.bootstrap.Settings;
import dev.kickoff.lambda.Invocations;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.LambdaApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;

import java.util.Map;

/**
 * The worker Lambda ({@code template.yaml}: {@code dev.kickoff.worker.RunWorkerHandler::handleRequest}), fed by the
 * runs queue: the shared skeleton ({@link Invocations#sqs}) around {@link RunMessageProcessor}. Reports partial
 * batch failures: a message stays on the queue only if its run still needs it. No step is started in the last part
 * of the invocation (a quarter of the time left, at most {@code RunTimings.workerDeadlineMargin}, 5 s of 30 s).
 */
public class RunWorkerHandler extends MicronautRequestHandler<SQSEvent, SQSBatchResponse> {
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
        super(contextBuilder(environment));
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
        return Invocations.sqs(context, frame.clock(), frame.deadlineMargin(), PowertoolsRunObserver::flush, event,
                processor);
    }
}
