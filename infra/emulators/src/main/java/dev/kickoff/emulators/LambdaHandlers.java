package dev.kickoff.emulators;

import com.amazonaws.services.lambda.runtime.RequestHandler;

import java.lang.reflect.Constructor;
import java.util.Map;

/**
 * Constructs a function's handler class as named in the template. A handler that declares a constructor taking
 * {@code Map<String, String>} receives the function's resolved template environment through it (Java cannot set
 * real environment variables in a running process); otherwise its no-argument constructor is used.
 */
public final class LambdaHandlers {
    private LambdaHandlers() {
    }

    @SuppressWarnings("unchecked")
    public static <I, O> RequestHandler<I, O> instantiate(FunctionSpec spec, Map<String, String> extraEnvironment) {
        try {
            Class<?> type = Class.forName(spec.handlerClass());
            if (!RequestHandler.class.isAssignableFrom(type)) {
                throw new IllegalStateException(spec.handlerClass() + " does not implement RequestHandler");
            }
            Map<String, String> env = new java.util.HashMap<>(spec.environment());
            env.putAll(extraEnvironment);
            try {
                Constructor<?> withEnv = type.getConstructor(Map.class);
                return (RequestHandler<I, O>) withEnv.newInstance(Map.copyOf(env));
            } catch (NoSuchMethodException e) {
                return (RequestHandler<I, O>) type.getConstructor().newInstance();
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + spec.handlerClass() + " for " + spec.logicalId(), e);
        }
    }
}
