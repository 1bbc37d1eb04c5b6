package dev.kickoff.core.error;

/**
 * One problem with one place in a document. {@code path} is a JSON Pointer (RFC 6901) into the document the
 * caller sent, e.g. {@code /items/0/qty}; the empty string means the document itself.
 */
public record FieldError(String path, String message) {
}
