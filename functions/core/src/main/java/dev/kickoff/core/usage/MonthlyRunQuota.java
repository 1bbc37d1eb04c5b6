package dev.kickoff.core.usage;

import dev.kickoff.core.port.UsageStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The optional monthly run quota of an organization (the admin function sets it), held against the runs metered this
 * month (UTC) plus the runs this instance has started since it last read that count. The count is read at most once a
 * minute per instance and organization, and only for organizations that have a quota. It is a soft limit: runs that
 * have not finished yet are counted by the instance that started them only, so several instances together can go past
 * the quota by the runs they start within a minute of each other, and runs in flight for longer.
 */
public final class MonthlyRunQuota implements RunQuota {
    static final Duration REFRESH = Duration.ofMinutes(1);
    private static final int MAX_CACHED = 10_000;

    private final BillingSettings billing;
    private final UsageStore usage;
    private final Clock clock;
    private final Map<Long, Count> counts = new ConcurrentHashMap<>();

    private record Count(YearMonth month, long metered, AtomicLong startedSince, Instant readAt) {
    }

    public MonthlyRunQuota(BillingSettings billing, UsageStore usage, Clock clock) {
        this.billing = billing;
        this.usage = usage;
        this.clock = clock;
    }

    @Override
    public void check(long orgId) {
        Long quota = billing.monthlyRunQuota(orgId);
        if (quota == null) {
            return;
        }
        Instant now = clock.instant();
        YearMonth month = YearMonth.from(now.atZone(ZoneOffset.UTC));
        Count c = counts.get(orgId);
        if (c == null || !c.month().equals(month) || !now.isBefore(c.readAt().plus(REFRESH))) {
            if (counts.size() > MAX_CACHED) {
                counts.clear();
            }
            c = new Count(month, usage.monthRuns(orgId, month), new AtomicLong(), now);
            counts.put(orgId, c);
        }
        if (c.metered() + c.startedSince().get() >= quota) {
            throw new QuotaExceededException(quota, month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
        }
    }

    @Override
    public void started(long orgId) {
        Count c = counts.get(orgId);
        if (c != null) {
            c.startedSince().incrementAndGet();
        }
    }
}
