package dev.kickoff.api;

import com.amazonaws.services.lambda.runtime.Context;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.function.aws.DefaultLambdaContextFactory;
import io.micronaut.function.aws.LambdaContextFactory;
import jakarta.inject.Singleton;

/**
 * Skips Micronaut's per-invocation registration of the Lambda {@link Context} (and its logger, client context and
 * identity) as singleton beans. Each registration invalidates the bean context's lookup caches, which made it
 * about half of the API handler's CPU time on a warm request (docs/benchmarks-method.md, section 2). Nothing in the
 * API function injects the Lambda context: {@link ApiHandler} hands it to Powertools itself. Active only in the API
 * function's context ({@code kickoff.function=api}, set by {@link ApiHandler}), so other functions sharing a
 * classpath (the local stack) keep Micronaut's default.
 */
@Singleton
@Replaces(DefaultLambdaContextFactory.class)
@Requires(property = ApiHandler.FUNCTION_PROPERTY, value = "api")
final class NoLambdaContextBeans implements LambdaContextFactory {
    @Override
    public void registerSingletons(Context context) {
        // Deliberately nothing: see the class comment.
    }
}
