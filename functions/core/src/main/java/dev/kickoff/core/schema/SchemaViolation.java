package dev.kickoff.core.schema;

import dev.kickoff.core.error.FieldError;

/**
 * One way a document breaks its schema.
 *
 * @param pointer JSON Pointer to the offending value (for a missing required property, where it should be)
 * @param keyword the JSON Schema keyword that failed ({@code type}, {@code required}, {@code minimum}, ...)
 * @param message a sentence naming the pointer, e.g. {@code value at `/amount` is not a number}
 */
public record SchemaViolation(String pointer, String keyword, String message) {
    public FieldError toFieldError() {
        return new FieldError(pointer, message);
    }
}
