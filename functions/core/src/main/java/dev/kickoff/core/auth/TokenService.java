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
        return issue(orgId, name, Grant.of(scope));
    }

    /** A token with exactly these scopes (and, if listed, only these workflows); its secret shown once. */
    public IssuedToken issue(long orgId, String name, Grant grant) {
        String cleanName = name == null ? "" : name.strip();
        if (cleanName.isEmpty() || cleanName.length() > MAX_NAME_LENGTH) {
            throw new KickoffException(Reason.INVALID_REQUEST,
                    "name must be a non-blank string of at most " + MAX_NAME_LENGTH + " characters");
        }
        if (grant.permissions().isEmpty() || grant.workflowIds().size() > Grant.MAX_WORKFLOWS
                || grant.workflowIds().stream().anyMatch(id -> id <= 0)) {
            throw new KickoffException(Reason.INVALID_REQUEST, "a token needs at least one scope and at most "
                    + Grant.MAX_WORKFLOWS + " positive workflow IDs");
        }
        String secret = TokenSecrets.newSecret(Scope.prefixFor(grant.permissions()));
        return FreshIds.store(() -> {
            ApiToken token = new ApiToken(ids.next(), orgId, cleanName, grant, TokenSecrets.displayPrefix(secret),
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
        if (!wellFormed(secret)) {
            return Optional.empty();
        }
        return store.findByHash(TokenSecrets.hash(secret));
    }

    /** Whether {@code secret} has the shape of a token at all: junk never costs a database read. */
    public static boolean wellFormed(String secret) {
        return secret != null && secret.length() <= TokenSecrets.MAX_SECRET_LENGTH
                && TokenSecrets.claimedScope(secret) != null;
    }

    /**
     * Authenticates a presented secret and checks that its token holds {@code needed}, with messages that say
     * what is wrong but never echo the secret. A token that holds no scope of the external APIs at all (a
     * {@code manage} token) is not an API token there: {@link Reason#UNAUTHENTICATED}, as the seeds document
     * for a wrong token; any other missing scope is {@link Reason#WRONG_SCOPE}, naming it.
     */
    public Principal require(String secret, Permission needed) {
        return require(authenticate(secret), needed);
    }

    /** {@link #require(String, Permission)} for a token the caller has already looked up by its hash. */
    public Principal require(Optional<Principal> found, Permission needed) {
        Principal principal = found.orElseThrow(() ->
                new KickoffException(Reason.UNAUTHENTICATED, "invalid or revoked API token"));
        Grant grant = principal.grant();
        if (grant.allows(needed)) {
            return principal;
        }
        String bundle = Scope.API.permissions().contains(needed) ? "api" : "manage";
        if (needed.external() && grant.permissions().stream().noneMatch(Permission::external)) {
            throw new KickoffException(Reason.UNAUTHENTICATED, "this token has no scope of the external API: it "
                    + "needs the " + needed.wireName() + " scope, which the api scope includes");
        }
        throw new KickoffException(Reason.WRONG_SCOPE, "this endpoint needs the " + needed.wireName()
                + " scope, which the " + bundle + " scope includes; this token has " + String.join(", ",
                grant.wireNames()));
    }
}
