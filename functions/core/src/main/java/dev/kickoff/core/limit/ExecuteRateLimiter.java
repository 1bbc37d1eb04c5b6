package dev.kickoff.core.limit;

import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.port.RateLimitStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The execute limit: requests per minute per API token on the endpoints that start runs, in fixed one-minute
 * windows counted in the store (so the limit holds across every API instance). 500 by default; an organization
 * can have its own ({@link RateLimitStore#executeLimit}), read at most once a minute per instance.
 *
 * <p>Once the store says a token's window is full, this instance refuses that token's further requests in the
 * window without another write: a client hammering past its limit costs one write per instance per minute, not
 * one per request, and the counter item never runs hot.
 */
public final class ExecuteRateLimiter {
    public static final int DEFAULT_LIMIT_PER_MINUTE = 500;
    public static final int MAX_LIMIT_PER_MINUTE = 100_000;
    public static final Duration WINDOW = Duration.ofMinutes(1);
    static final Duration SETTINGS_TTL = Duration.ofMinutes(1);
    private static final int MAX_CACHED = 10_000;

    private final RateLimitStore store;
    private final Clock clock;
    private final int defaultLimit;
    private final Map<Long, CachedLimit> orgLimits = new ConcurrentHashMap<>();
    private final Map<Long, Long> fullWindows = new ConcurrentHashMap<>();

    private record CachedLimit(int limit, Instant loadedAt) {
    }

    public ExecuteRateLimiter(RateLimitStore store, Clock clock) {
        this(store, clock, DEFAULT_LIMIT_PER_MINUTE);
    }

    public ExecuteRateLimiter(RateLimitStore store, Clock clock, int defaultLimit) {
        this.store = store;
        this.clock = clock;
        this.defaultLimit = defaultLimit;
    }

    /**
     * Counts one execute request of the principal's token. Refused with a {@link RateLimitedException} (carrying
     * the decision's numbers) when the token's window is full.
     */
    public RateLimitDecision acquire(Principal principal) {
        Instant now = clock.instant();
        long windowMillis = WINDOW.toMillis();
        long windowStartMillis = Math.floorDiv(now.toEpochMilli(), windowMillis) * windowMillis;
        Instant windowStart = Instant.ofEpochMilli(windowStartMillis);
        Instant reset = windowStart.plus(WINDOW);
        int limit = limit(principal.orgId(), now);

        Long full = fullWindows.get(principal.tokenId());
        if (full != null && full == windowStartMillis) {
            throw refused(new RateLimitDecision(false, limit, 0, reset, now));
        }
        // Kept a little past the window, so a late reader never mistakes an old count for a new window's.
        OptionalLong count = store.increment(principal.tokenId(), windowStart, limit, reset.plus(WINDOW));
        if (count.isEmpty()) {
            if (fullWindows.size() > MAX_CACHED) {
                fullWindows.clear();
            }
            fullWindows.put(principal.tokenId(), windowStartMillis);
            throw refused(new RateLimitDecision(false, limit, 0, reset, now));
        }
        return new RateLimitDecision(true, limit, limit - count.getAsLong(), reset, now);
    }

    /** The organization's execute limit per minute per token: its own if set, else the default. */
    public int limit(long orgId, Instant now) {
        CachedLimit cached = orgLimits.get(orgId);
        if (cached == null || !now.isBefore(cached.loadedAt().plus(SETTINGS_TTL))) {
            int limit = store.executeLimit(orgId).orElse(defaultLimit);
            if (orgLimits.size() > MAX_CACHED) {
                orgLimits.clear();
            }
            cached = new CachedLimit(limit, now);
            orgLimits.put(orgId, cached);
        }
        return cached.limit();
    }

    /** Sets an organization's own limit (null: back to the default); effective on every instance within a minute. */
    public void setLimit(long orgId, Integer perMinute) {
        if (perMinute != null && (perMinute < 1 || perMinute > MAX_LIMIT_PER_MINUTE)) {
            throw new KickoffException(Reason.INVALID_REQUEST,
                    "the execute limit must be between 1 and " + MAX_LIMIT_PER_MINUTE + " requests per minute");
        }
        if (!store.setExecuteLimit(orgId, perMinute)) {
            throw new KickoffException(Reason.NOT_FOUND, "organization " + orgId + " not found");
        }
        orgLimits.remove(orgId);
    }

    private static RateLimitedException refused(RateLimitDecision decision) {
        return new RateLimitedException(decision);
    }
}
