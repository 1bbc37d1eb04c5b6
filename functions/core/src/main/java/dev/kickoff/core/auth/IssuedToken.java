package dev.kickoff.core.auth;

/** A freshly created token with its secret: the only moment the secret exists outside the caller's hands. */
public record IssuedToken(ApiToken token, String secret) {
    @Override
    public String toString() {
        return "IssuedToken[token=" + token + ", secret=<redacted>]";
    }
}
