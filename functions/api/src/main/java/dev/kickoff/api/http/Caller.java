package dev.kickoff.api.http;

import dev.kickoff.core.auth.Permission;
import io.micronaut.core.bind.annotation.Bindable;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@link dev.kickoff.core.auth.Principal} parameter: the caller, authenticated by its token and holding
 * the scope named here, bound by {@link CallerBinder}. A missing or unknown token is a 401, a token without the
 * scope a 403 naming it, both in the caller's error shape.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PARAMETER})
@Bindable
public @interface Caller {
    /** The scope the endpoint needs. */
    Permission value();
}
