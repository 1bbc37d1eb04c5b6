package dev.kickoff.core.step;

import dev.kickoff.core.action.ActionRunner;

import java.util.function.Supplier;

/**
 * {@code http}: one HTTP request, {@code config.method}, {@code url}, {@code query}, {@code headers}, {@code body}
 * (JSON, or form with {@code bodyType: "form"}), {@code timeout}, all templated; output {@code {status, headers,
 * body}}. The {@code http.request} action (see {@link dev.kickoff.core.action.HttpRequestAction}) as a step type of
 * its own. With {@code continueOnError}, a 3xx or 4xx answer is the step's output (so a later step can look at its
 * {@code status}); any other failure is recorded and the run goes on.
 */
public final class HttpStep extends SingleActionStep {
    public static final String NAME = "http";

    public HttpStep(Supplier<ActionRunner> runner) {
        super(runner, NAME, "an http step takes no action; use \"type\": \"action\" with"
                + " \"action\": \"http.request\", or drop the field");
    }
}
