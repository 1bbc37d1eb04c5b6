package dev.kickoff.streams;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.PowertoolsRunObserver;
import dev.kickoff.bootstrap.Settings;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.LambdaApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import jakarta.inject.Inject;
import dev.kickoff.lambda.Invocations;

import java.util.Map;

/**
 * The streams Lambda ({@code template.yaml}: {@code dev.kickoff.streams.StreamsHandler::handleRequest}), on the
 * table's stream behind a filter that lets through only run and case transitions: the shared skeleton
 * ({@link Invocations#streams}) around {@link StreamRecordProcessor}. Reports batch item failures by sequence number.
 */
public class StreamsHandler extends MicronautRequestHandler<DynamodbEvent, StreamsEventResponse> {
    @Inject
    StreamRecordProcessor processor;

    /** Used by Lambda: configuration comes from the function's environment variables. */
    public StreamsHandler() {
        super();
    }

    /** Used by the local stack and the tests: the function's template environment over the process's. */
    public StreamsHandler(Map<String, String> environment) {
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
    public StreamsEventResponse execute(DynamodbEvent event) {
        Context context = getApplicationContext().findBean(Context.class).orElse(null);
        return Invocations.streams(context, PowertoolsRunObserver::flush, event, processor);
    }
}
