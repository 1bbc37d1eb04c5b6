package dev.kickoff.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.port.BillingStore;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

public final class InMemoryBillingStore implements BillingStore {
    public final Map<Long, Billing> billing = new ConcurrentHashMap<>();

    @Override
    public Billing find(long orgId) {
        return billing.getOrDefault(orgId, Billing.NONE);
    }

    @Override
    public boolean setPrices(long orgId, JsonNode prices) {
        billing.put(orgId, new Billing(prices, find(orgId).monthlyRunQuota()));
        return true;
    }

    @Override
    public boolean setMonthlyRunQuota(long orgId, Long quota) {
        billing.put(orgId, new Billing(find(orgId).prices(), quota));
        return true;
    }
}
