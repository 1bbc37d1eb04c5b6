package dev.kickoff.core.run;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request to start a run, whatever API shape it arrived in.
 *
 * @param input        the run's input object (empty object when the caller sent none)
 * @param connectionId optional connection the steps should use (seed 003)
 */
public record RunRequest(JsonNode input, String connectionId) {
}
