package dev.kickoff.core.auth;

import java.util.Optional;

/**
 * One thing a token may do: the fine-grained scopes ({@code workflows:execute}, {@code runs:read}, …). Each
 * endpoint needs one; a token holds a set, either a named {@link Scope} bundle or a list chosen when it was made.
 */
public enum Permission {
    /** The four trigger POSTs: start a run. Seed 003: "Verify API key - Needs workflows:execute scope". */
    WORKFLOWS_EXECUTE("workflows:execute", true),
    /** Read a run (every shape's run GET) and list a workflow's runs. */
    RUNS_READ("runs:read", true),
    /** Create a case (seed 001's POST). */
    CASES_WRITE("cases:write", true),
    /** Read one case by its ID (seed 001's GET). */
    CASES_READ("cases:read", true),
    /** Cancel, retry, replay and signal a run (seed 000's run controls; a replay also needs workflows:execute). */
    RUNS_CONTROL("runs:control", true),
    /** Read workflows and their definitions, and list a workflow's cases (the management API). */
    WORKFLOWS_READ("workflows:read", false),
    /** Create, edit and publish workflows. */
    WORKFLOWS_WRITE("workflows:write", false),
    TOKENS_READ("tokens:read", false),
    TOKENS_WRITE("tokens:write", false),
    WEBHOOKS_READ("webhooks:read", false),
    WEBHOOKS_WRITE("webhooks:write", false),
    /** List and read connections (never their secrets). */
    CONNECTIONS_READ("connections:read", false),
    /** Create, replace and delete connections, secrets included. */
    CONNECTIONS_WRITE("connections:write", false),
    /** List a workflow's runs and read a run with its step timeline (the dashboard). */
    RUNS_INSPECT("runs:inspect", false),
    /** Cancel, retry, replay and signal runs (the dashboard). */
    RUNS_OPERATE("runs:operate", false),
    /** List and read a workflow's schedules. */
    SCHEDULES_READ("schedules:read", false),
    /** Create, edit (pause, resume) and delete schedules. */
    SCHEDULES_WRITE("schedules:write", false),
    /** Read the organization's metered usage and cost. */
    USAGE_READ("usage:read", false);

    private final String wireName;
    private final boolean external;

    Permission(String wireName, boolean external) {
        this.wireName = wireName;
        this.external = external;
    }

    public String wireName() {
        return wireName;
    }

    /** True for the scopes of the external (trigger and read-back) APIs; false for the management API's. */
    public boolean external() {
        return external;
    }

    public static Optional<Permission> fromWire(String text) {
        for (Permission p : values()) {
            if (p.wireName.equals(text)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
