package dev.kickoff.core.connection;

/**
 * A step needs a connection it cannot have: none named or defaulted, the named one is missing or of another
 * provider, or its secrets cannot be opened. The message says which, for the run's error; it never holds a secret.
 */
public class ConnectionUnavailableException extends RuntimeException {
    public ConnectionUnavailableException(String message) {
        super(message, null, false, false);
    }
}
