package dev.kickoff.core.engine;

/** A step ended in failure; the message becomes the run's error. */
public class StepFailedException extends RuntimeException {
    public StepFailedException(String message) {
        super(message, null, false, false);
    }
}
