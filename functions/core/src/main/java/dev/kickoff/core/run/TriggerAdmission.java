package dev.kickoff.core.run;

import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.TokenSecrets;
import dev.kickoff.core.auth.TokenService;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.limit.ExecuteRateLimiter;
import dev.kickoff.core.limit.RateLimitDecision;
import dev.kickoff.core.port.TriggerReads;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The front of every trigger: authenticate the token, count it against the execute limit, and read the workflow
 * head, in as few sequential round trips as the promises allow. The first request of a token on an instance
 * reads the token alone (its organization is needed for everything else), then counts. From then on the instance
 * knows the token's organization and ID (they never change; whether the token still exists is never cached), so it
 * reads the token and the head together, both strongly consistent, while the limit counter is written beside
 * them: one round trip where there were three. A revoked token still fails on the next request and a publish
 * still serves the next request; a revoked token's request may bump that dead token's counter, which nothing
 * reads again.
 */
public final class TriggerAdmission {
    private static final int MAX_KNOWN = 10_000;

    private final TokenService tokens;
    private final TriggerReads reads;
    private final ExecuteRateLimiter limits;
    private final ExecutorService beside = Executors.newVirtualThreadPerTaskExecutor();
    /** Token hash → the principal last read for it: a hint where to look, never proof that the token exists. */
    private final Map<String, Principal> known = new ConcurrentHashMap<>();

    public TriggerAdmission(TokenService tokens, TriggerReads reads, ExecuteRateLimiter limits) {
        this.tokens = tokens;
        this.reads = reads;
        this.limits = limits;
    }

    /**
     * An admitted trigger: its caller, the limit's numbers, and the head of {@code workflowId} as read by this
     * request (null when it was not read here: the run's start reads it).
     */
    public record Admitted(Principal principal, RateLimitDecision decision, TriggerReads.Head head) {
    }

    /**
     * Authenticates {@code secret} for {@code needed} (401 and 403 as {@link TokenService#require} answers them),
     * counts the request ({@link dev.kickoff.core.limit.RateLimitedException} past the limit) and, with a
     * positive {@code workflowId}, reads that workflow's head alongside.
     */
    public Admitted admit(String secret, Permission needed, long workflowId) {
        if (!TokenService.wellFormed(secret)) {
            throw new KickoffException(Reason.UNAUTHENTICATED, "invalid or revoked API token");
        }
        String hash = TokenSecrets.hash(secret);
        Principal hint = known.get(hash);
        if (hint == null || workflowId <= 0 || !hint.grant().allows(needed)) {
            Principal principal = tokens.require(secret, needed);
            remember(hash, principal);
            return new Admitted(principal, limits.acquire(principal), null);
        }
        CompletableFuture<RateLimitDecision> counted = CompletableFuture.supplyAsync(() -> limits.acquire(hint), beside);
        TriggerReads.TokenAndHead read;
        try {
            read = reads.read(hash, hint.orgId(), workflowId);
        } catch (RuntimeException e) {
            counted.exceptionally(x -> null).join();
            throw e;
        }
        Optional<Principal> found = read.token();
        if (found.isEmpty()) {
            known.remove(hash);
            counted.exceptionally(e -> null).join();
        }
        Principal principal = tokens.require(found, needed);
        if (principal.orgId() != hint.orgId() || principal.tokenId() != hint.tokenId()) {
            // A hash names one token for good; should it ever not, start over the slow way.
            known.remove(hash);
            counted.exceptionally(e -> null).join();
            return admit(secret, needed, -1);
        }
        remember(hash, principal);
        try {
            return new Admitted(principal, counted.join(), read.head());
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private void remember(String hash, Principal principal) {
        if (known.size() > MAX_KNOWN) {
            known.clear();
        }
        known.put(hash, principal);
    }
}
