package dev.kickoff.streams;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.kickoff.bootstrap.MicronautFunction;
import dev.kickoff.bootstrap.PowertoolsRunObserver;
import jakarta.inject.Inject;
import dev.kickoff.lambda.Invocations;

import java.util.Map;

/**
 * The streams Lambda ({@code template.yaml}: {@code dev.kickoff.streams.StreamsHandler::handleRequest}), on the
 * table's stream behind a filter that lets through only run and case transitions: the shared skeleton
 * ({@link Invocations#streams}) around {@link StreamRecordProcessor}. Reports batch item failures by sequence number.
 */
public class StreamsHandler extends MicronautFunction<DynamodbEvent, StreamsEventResponse> {
    @Inject
    StreamRecordProcessor processor;

    /** Used by Lambda: configuration comes from the function's environment variables. */
    public StreamsHandler() {
        super();
    }

    /** Used by the local stack and the tests: the function's template environment over the process's. */
    public StreamsHandler(Map<String, String> environment) {
        super(environment);
    }

    @Override
    public StreamsEventResponse execute(DynamodbEvent event) {
        return Invocations.streams(lambdaContext(), PowertoolsRunObserver::flush, event, processor);
    }
}
