package dev.kickoff.core.limit;

import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.port.RateLimitStore;
import dev.kickoff.core.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExecuteRateLimiterTest {
    static final Principal TOKEN = new Principal(1, 11, "ci", Scope.API);

    static final class Store implements RateLimitStore {
        final Map<String, Long> counts = new HashMap<>();
        final Map<Long, Integer> limits = new HashMap<>();
        final AtomicInteger increments = new AtomicInteger();
        final AtomicInteger limitReads = new AtomicInteger();

        @Override
        public synchronized OptionalLong increment(long tokenId, Instant windowStart, int limit, Instant expiresAt) {
            increments.incrementAndGet();
            String key = tokenId + "@" + windowStart;
            long count = counts.getOrDefault(key, 0L);
            if (count >= limit) {
                return OptionalLong.empty();
            }
            counts.put(key, count + 1);
            return OptionalLong.of(count + 1);
        }

        @Override
        public OptionalInt executeLimit(long orgId) {
            limitReads.incrementAndGet();
            Integer l = limits.get(orgId);
            return l == null ? OptionalInt.empty() : OptionalInt.of(l);
        }

        @Override
        public boolean setExecuteLimit(long orgId, Integer perMinute) {
            if (perMinute == null) {
                limits.remove(orgId);
            } else {
                limits.put(orgId, perMinute);
            }
            return true;
        }
    }

    Store store = new Store();
    MutableClock clock = new MutableClock(Instant.parse("2026-05-19T12:34:15Z"));
    ExecuteRateLimiter limiter = new ExecuteRateLimiter(store, clock, 3);

    @Test
    void countsPerWindowAndRefusesWithTheSeedMessageAndHeaders() {
        assertThat(limiter.acquire(TOKEN).remaining()).isEqualTo(2);
        assertThat(limiter.acquire(TOKEN).remaining()).isEqualTo(1);
        RateLimitDecision last = limiter.acquire(TOKEN);
        assertThat(last.remaining()).isZero();
        assertThat(last.limit()).isEqualTo(3);
        assertThat(last.remainingOrZero()).isZero();
        assertThat(last.resetSeconds()).isEqualTo(45);
        assertThat(last.retryAfterSeconds()).as("allowed: no Retry-After").isZero();
        assertThatThrownBy(() -> limiter.acquire(TOKEN)).isInstanceOfSatisfying(KickoffException.class, e -> {
            assertThat(e.reason()).isEqualTo(Reason.RATE_LIMITED);
            assertThat(e.getMessage()).isEqualTo("Rate limit exceeded. Limit: 3 requests per minute.");
            RateLimitDecision refused = ((RateLimitedException) e).decision();
            assertThat(refused.retryAfterSeconds()).isEqualTo(45);
            assertThat(refused.remainingOrZero()).isZero();
        });
        clock.advance(Duration.ofSeconds(45));
        assertThat(limiter.acquire(TOKEN).remaining()).isEqualTo(2);
    }

    @Test
    void afterTheStoreRefusesThisInstanceStopsWritingForTheRestOfTheWindow() {
        for (int i = 0; i < 3; i++) {
            limiter.acquire(TOKEN);
        }
        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> limiter.acquire(TOKEN)).isInstanceOf(KickoffException.class);
        }
        assertThat(store.increments.get()).isEqualTo(4);
        // another token is unaffected
        assertThat(limiter.acquire(new Principal(1, 12, "other", Scope.API)).allowed()).isTrue();
    }

    @Test
    void anOrganizationsOwnLimitWinsAndIsReadOnceAMinute() {
        limiter.setLimit(1, 1);
        limiter.acquire(TOKEN);
        assertThatThrownBy(() -> limiter.acquire(TOKEN)).isInstanceOf(KickoffException.class);
        assertThat(store.limitReads.get()).isEqualTo(1);
        assertThatThrownBy(() -> limiter.setLimit(1, 0)).isInstanceOf(KickoffException.class);
        assertThatThrownBy(() -> limiter.setLimit(1, ExecuteRateLimiter.MAX_LIMIT_PER_MINUTE + 1))
                .isInstanceOf(KickoffException.class);
    }

    @Test
    void resetIsNeverZeroSeconds() {
        clock.advance(Duration.ofMillis(44_999));
        assertThat(limiter.acquire(TOKEN).resetSeconds()).isEqualTo(1);
    }
}
