package dev.kickoff.core.schema;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * A {@link SchemaViolation} with what API shapes need to word it their own way (seed 003's Zod-style
 * {@code {"path": ["items", 0, "qty"], "message": "Required"}}, seed 002's FastAPI {@code loc} lists).
 *
 * @param violation    pointer, keyword and Kickoff's message
 * @param path         the pointer as segments: property names as strings, array indices as integers
 * @param keywordValue the failed keyword's value in the schema (e.g. {@code 100} for {@code "minimum": 100})
 * @param value        the offending instance value; null for a missing required property
 */
public record SchemaFinding(SchemaViolation violation, List<Object> path, JsonNode keywordValue, JsonNode value) {
    public SchemaFinding {
        path = List.copyOf(path);
    }

    public String keyword() {
        return violation.keyword();
    }
}
