package dev.kickoff.core.usage;

import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.port.BillingStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Organizations' prices and quotas as a function instance sees them: read from the organization's item at most once a
 * minute per organization (an operator's change reaches every instance within a minute), as the execute limit is.
 */
public final class BillingSettings {
    static final Duration TTL = Duration.ofMinutes(1);
    private static final int MAX_CACHED = 10_000;
    public static final long MAX_QUOTA = 1_000_000_000_000L;

    private final BillingStore store;
    private final Clock clock;
    private final Map<Long, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(PriceList prices, Long quota, Instant loadedAt) {
    }

    public BillingSettings(BillingStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public PriceList prices(long orgId) {
        return get(orgId).prices();
    }

    /** The monthly run quota, or null for none. */
    public Long monthlyRunQuota(long orgId) {
        return get(orgId).quota();
    }

    private Cached get(long orgId) {
        Instant now = clock.instant();
        Cached c = cache.get(orgId);
        if (c == null || !now.isBefore(c.loadedAt().plus(TTL))) {
            BillingStore.Billing b = store.find(orgId);
            PriceList prices;
            try {
                prices = PriceList.DEFAULTS.merge(b.prices());
            } catch (KickoffException e) {
                prices = PriceList.DEFAULTS;  // checked when set; an item edited by hand must not stop metering
            }
            if (cache.size() > MAX_CACHED) {
                cache.clear();
            }
            c = new Cached(prices, b.monthlyRunQuota(), now);
            cache.put(orgId, c);
        }
        return c;
    }

    /** The admin function's {@code set-prices}: checked by merging over the defaults, then stored as given. */
    public PriceList setPrices(long orgId, com.fasterxml.jackson.databind.JsonNode override) {
        PriceList merged = PriceList.DEFAULTS.merge(override);
        if (!store.setPrices(orgId, override == null || override.isNull() ? null : override)) {
            throw new KickoffException(Reason.NOT_FOUND, "organization " + orgId + " not found");
        }
        cache.remove(orgId);
        return merged;
    }

    /** The admin function's {@code set-monthly-run-quota} (null: no quota). */
    public void setMonthlyRunQuota(long orgId, Long quota) {
        if (quota != null && (quota < 0 || quota > MAX_QUOTA)) {
            throw new KickoffException(Reason.INVALID_REQUEST, "a monthly run quota is 0 to " + MAX_QUOTA + " runs");
        }
        if (!store.setMonthlyRunQuota(orgId, quota)) {
            throw new KickoffException(Reason.NOT_FOUND, "organization " + orgId + " not found");
        }
        cache.remove(orgId);
    }
}
