package dev.kickoff.core.auth;

import java.time.Instant;

/**
 * A token as Kickoff remembers it: never the secret, only its {@code prefix} (enough for a person to
 * recognise it in a list) and, in the store, the SHA-256 of the secret.
 */
public record ApiToken(long id, long orgId, String name, Grant grant, String prefix, Instant createdAt) {
    public ApiToken(long id, long orgId, String name, Scope scope, String prefix, Instant createdAt) {
        this(id, orgId, name, Grant.of(scope), prefix, createdAt);
    }

    /** The bundle the token was made with, or null for a token with its own list of scopes. */
    public Scope scope() {
        return grant.bundle();
    }
}
