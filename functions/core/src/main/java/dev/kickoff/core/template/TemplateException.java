package dev.kickoff.core.template;

/** A template that does not parse, or that fails while it is evaluated (wrong type, budget exceeded). */
public class TemplateException extends RuntimeException {
    public TemplateException(String message) {
        super(message, null, false, false);
    }
}
