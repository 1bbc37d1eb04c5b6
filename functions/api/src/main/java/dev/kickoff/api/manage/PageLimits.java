package dev.kickoff.api.manage;

import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;

/** The {@code limit} of the management lists (workflows, a workflow's cases): one rule, 1 to 100, else a 400. */
final class PageLimits {
    static final int MAX = 100;

    private PageLimits() {
    }

    static int parse(String limit, int byDefault) {
        if (limit == null) {
            return byDefault;
        }
        int value;
        try {
            value = Integer.parseInt(limit.strip());
        } catch (NumberFormatException e) {
            value = 0;
        }
        if (value < 1 || value > MAX) {
            throw new KickoffException(Reason.INVALID_REQUEST, "limit must be a number from 1 to " + MAX);
        }
        return value;
    }
}
