package dev.kickoff.core.port;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An organization's own billing settings, set by an operator (the admin function): prices that override the defaults,
 * and a monthly run quota. Both live on the organization's item.
 */
public interface BillingStore {
    /**
     * @param prices           the override merged over the default price list (null: the defaults)
     * @param monthlyRunQuota  runs a month past which triggers are refused (null: no quota)
     */
    record Billing(JsonNode prices, Long monthlyRunQuota) {
        public static final Billing NONE = new Billing(null, null);
    }

    /** The organization's settings; {@link Billing#NONE} for an organization without any (or none at all). */
    Billing find(long orgId);

    /** Replaces the price override (null: back to the defaults); false when the organization does not exist. */
    boolean setPrices(long orgId, JsonNode prices);

    /** Sets the monthly run quota (null: none); false when the organization does not exist. */
    boolean setMonthlyRunQuota(long orgId, Long quota);
}
