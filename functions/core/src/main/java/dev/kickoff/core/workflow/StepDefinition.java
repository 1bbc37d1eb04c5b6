package dev.kickoff.core.workflow;

import com.fasterxml.jackson.databind.JsonNode;

/** One step as declared in a definition: {@code {id, type, name, config}} (plus {@code action} where a type uses it). */
public record StepDefinition(String id, String type, String name, JsonNode config, String action) {
}
