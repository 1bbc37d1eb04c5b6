package dev.kickoff.core.auth;

/** Who is calling: the organization, the token that authenticated the request, and what that token may do. */
public record Principal(long orgId, long tokenId, String tokenName, Grant grant) {
    /** A token made with a named bundle (every token made before fine-grained scopes existed is one). */
    public Principal(long orgId, long tokenId, String tokenName, Scope scope) {
        this(orgId, tokenId, tokenName, Grant.of(scope));
    }

    /** The bundle the token was made with, or null for a token with its own list of scopes. */
    public Scope scope() {
        return grant.bundle();
    }
}
