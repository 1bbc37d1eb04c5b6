package dev.kickoff.api.http;

import io.micronaut.http.annotation.FilterMatcher;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the endpoints that count against the token's execute limit: the four trigger POSTs, and nothing else
 * (README, "Rate limits"). {@link ExecuteLimitFilter} runs on these routes only.
 */
@FilterMatcher
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface ExecuteLimited {
}
