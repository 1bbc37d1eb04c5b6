package dev.kickoff.bootstrap;

import com.amazonaws.services.lambda.runtime.Context;
import io.micronaut.context.ApplicationContextBuilder;
import io.micronaut.function.aws.LambdaApplicationContextBuilder;
import io.micronaut.function.aws.MicronautRequestHandler;
import java.util.Map;

/**
 * What the functions whose collaborators Micronaut injects (worker, streams, delivery) share: their application
 * context holds one composition root, built from the function's environment, so each subclass only names its event
 * types and hands its injected processor to the skeleton in {@code dev.kickoff.lambda.Invocations}.
 */
public abstract class MicronautFunction<I, O> extends MicronautRequestHandler<I, O> {
    /** Used by Lambda: configuration comes from the function's environment variables. */
    protected MicronautFunction() {
        super();
    }

    /** Used by the local stack and the tests: the function's template environment over the process's. */
    protected MicronautFunction(Map<String, String> environment) {
        super(contextBuilder(environment));
    }

    @Override
    protected ApplicationContextBuilder newApplicationContextBuilder() {
        return contextBuilder(Map.of());
    }

    /** The composition root is built here, once per instance (during init, so SnapStart captures it). */
    public static ApplicationContextBuilder contextBuilder(Map<String, String> environment) {
        return new LambdaApplicationContextBuilder().singletons(CompositionRoot.fromEnvironment(environment));
    }

    /** The invocation's Lambda context (registered by Micronaut for each request), or null outside Lambda. */
    protected Context lambdaContext() {
        return getApplicationContext().findBean(Context.class).orElse(null);
    }
}
