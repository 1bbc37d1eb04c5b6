package dev.kickoff.core.auth;

import dev.kickoff.core.id.FreshIds;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.port.TokenStore;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/** Issues, lists, revokes and checks org-scoped bearer tokens. */
public final class TokenService {
    public static final int MAX_NAME_LENGTH = 100;

    private final TokenStore store;
    private final IdGenerator ids;
    private final Clock clock;

    public TokenService(TokenStore store, IdGenerator ids, Clock clock) {
        this.store = store;
        this.ids = ids;
        this.clock = clock;
    }

    public IssuedToken issue(long orgId, String name, Scope scope) {
        String cleanName = name == null ? "" : name.strip();
        if (cleanName.isEmpty() || cleanName.length() > MAX_NAME_LENGTH) {
            throw new KickoffException(Reason.INVALID_REQUEST,
                    "name must be a non-blank string of at most " + MAX_NAME_LENGTH + " characters");
        }
        String secret = TokenSecrets.newSecret(scope);
        return FreshIds.store(() -> {
            ApiToken token = new ApiToken(ids.next(), orgId, cleanName, scope, TokenSecrets.displayPrefix(secret),
                    clock.instant().truncatedTo(ChronoUnit.MILLIS));
            store.create(token, TokenSecrets.hash(secret));
            return new IssuedToken(token, secret);
        });
    }

    public List<ApiToken> list(long orgId) {
        return store.list(orgId);
    }

    public void revoke(long orgId, long tokenId) {
        if (tokenId <= 0 || !store.delete(orgId, tokenId)) {
            throw new KickoffException(Reason.TOKEN_NOT_FOUND, "token not found");
        }
    }

    /**
     * Resolves a presented secret to its principal. Malformed secrets are refused before any lookup, so junk
     * never costs a database read.
     */
    public Optional<Principal> authenticate(String secret) {
        if (secret == null || secret.length() > TokenSecrets.MAX_SECRET_LENGTH
                || TokenSecrets.claimedScope(secret) == null) {
            return Optional.empty();
        }
        return store.findByHash(TokenSecrets.hash(secret));
    }

    /**
     * Authenticates and checks scope in one step, with messages that say what is wrong but never echo the secret.
     */
    public Principal require(String secret, Scope scope, boolean secretPresent) {
        if (!secretPresent) {
            throw new KickoffException(Reason.UNAUTHENTICATED, "missing API token: send Authorization: Bearer <token>");
        }
        Principal principal = authenticate(secret).orElseThrow(() ->
                new KickoffException(Reason.UNAUTHENTICATED, "invalid or revoked API token"));
        if (principal.scope() != scope) {
            throw new KickoffException(Reason.WRONG_SCOPE,
                    "this endpoint needs a token with the " + scope.wireName() + " scope; this token has the "
                            + principal.scope().wireName() + " scope");
        }
        return principal;
    }
}
