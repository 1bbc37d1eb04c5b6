package dev.kickoff.api.http;

import dev.kickoff.core.auth.Principal;
import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.bind.binders.AnnotatedRequestArgumentBinder;
import jakarta.inject.Singleton;

/**
 * Binds a {@link Caller} parameter. On a trigger POST the execute-limit filter has already authenticated the
 * token (it counts per token) and set it as the request's user principal, so the token is read once per request.
 */
@Singleton
final class CallerBinder implements AnnotatedRequestArgumentBinder<Caller, Principal> {
    private final Authenticator authenticator;

    CallerBinder(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public Class<Caller> getAnnotationType() {
        return Caller.class;
    }

    @Override
    public BindingResult<Principal> bind(ArgumentConversionContext<Principal> context, HttpRequest<?> source) {
        Caller caller = context.getAnnotationMetadata().synthesize(Caller.class);
        Principal principal = authenticator.authenticate(source, caller.value());
        return () -> java.util.Optional.of(principal);
    }
}
