package dev.kickoff.api.http;

import dev.kickoff.bootstrap.LogContext;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.TokenService;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;

/**
 * Finds the request's token ({@code Authorization: Bearer}, or {@code x-api-key}: the same token works in every
 * shape) and asks the core whether it holds the scope an endpoint needs. The org ID goes into the log context;
 * the token never goes anywhere.
 */
@Singleton
public final class Authenticator {
    static final String API_KEY_HEADER = "x-api-key";

    private final TokenService tokens;
    private final ErrorShapes shapes;

    public Authenticator(TokenService tokens, ErrorShapes shapes) {
        this.tokens = tokens;
        this.shapes = shapes;
    }

    /** The caller, authenticated once per request (a second call answers from the request's user principal). */
    public Principal authenticate(HttpRequest<?> request, Permission needed) {
        var known = request.getUserPrincipal(AuthenticatedCaller.class);
        if (known.isPresent() && known.get().principal().grant().allows(needed)) {
            return known.get().principal();
        }
        Principal principal = tokens.require(presented(request), needed);
        authenticated(request, principal);
        return principal;
    }

    /** The request's token, or the 401 that says how to send one. */
    String presented(HttpRequest<?> request) {
        String secret = secret(request);
        if (secret == null) {
            throw new KickoffException(Reason.UNAUTHENTICATED,
                    "missing API token: " + shapes.forPath(request.getPath()).credentialHint());
        }
        return secret;
    }

    /** Records a caller authenticated elsewhere (the execute-limit filter) as this request's principal. */
    void authenticated(HttpRequest<?> request, Principal principal) {
        LogContext.put(LogContext.ORG_ID, principal.orgId());
        request.setUserPrincipal(new AuthenticatedCaller(principal));
    }

    /** The presented secret; two different ones (a bearer token and another API key) are refused, not chosen from. */
    private static String secret(HttpRequest<?> request) {
        String bearer = bearer(request);
        String key = request.getHeaders().get(API_KEY_HEADER);
        key = key == null || key.isBlank() ? null : key.strip();
        if (bearer != null && key != null && !bearer.equals(key)) {
            throw new KickoffException(Reason.UNAUTHENTICATED,
                    "the Authorization and x-api-key headers carry different tokens; send one of them");
        }
        return bearer != null ? bearer : key;
    }

    private static String bearer(HttpRequest<?> request) {
        String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            return null;
        }
        String trimmed = header.strip();
        if (trimmed.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return trimmed.substring(7).strip();
        }
        return trimmed.isEmpty() ? null : trimmed;
    }

    /** The principal as Micronaut keeps a request's user principal. */
    record AuthenticatedCaller(Principal principal) implements java.security.Principal {
        @Override
        public String getName() {
            return Long.toString(principal.tokenId());
        }
    }
}
