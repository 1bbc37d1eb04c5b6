package dev.kickoff.core.auth;

/** Who is calling: the organization and the token that authenticated the request. */
public record Principal(long orgId, long tokenId, String tokenName, Scope scope) {
}
