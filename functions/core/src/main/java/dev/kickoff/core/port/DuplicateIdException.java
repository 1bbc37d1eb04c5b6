package dev.kickoff.core.port;

/** A store refused a new item because its ID is taken; the caller retries with a fresh ID. */
public class DuplicateIdException extends RuntimeException {
    public DuplicateIdException(String message) {
        super(message, null, false, false);
    }
}
