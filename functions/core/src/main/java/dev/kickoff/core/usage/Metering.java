package dev.kickoff.core.usage;

import dev.kickoff.core.port.UsageStore;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunUsage;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Optional;

/**
 * Prices and counts each run when it finishes, exactly once per finish, off the engine's path: the streams function
 * calls {@link #meter} for every transition of a run into {@code completed} or {@code failed} it reads from the
 * table's stream, however often the stream delivers it. A run retried from its failed step finishes again: that
 * second finish adds the steps run since the first (and not the run itself). The marker's conditional write makes a
 * duplicate, a redelivery after a crash, or a late first finish harmless; counters never go through a read-modify-write.
 */
public final class Metering {
    static final int MAX_ATTEMPTS = 5;

    private final UsageStore usage;
    private final BillingSettings billing;

    public Metering(UsageStore usage, BillingSettings billing) {
        this.usage = usage;
        this.billing = billing;
    }

    /**
     * @param applied  true when this call counted the finish (false: it was counted before)
     * @param finish   the finish it was
     * @param cost     the run's cost with this finish (what the run shows)
     */
    public record Result(boolean applied, int finish, BigDecimal cost) {
    }

    /** Meters a run that has just finished (its image as the finish wrote it). */
    public Result meter(Run run) {
        if (!run.status().terminal()) {
            throw new IllegalArgumentException("run " + run.id() + " is " + run.status().wireName() + ", not finished");
        }
        int finish = run.retries() + 1;
        Instant finishedAt = run.completedAt() != null ? run.completedAt() : run.updatedAt();
        // A first finish needs no read: its marker cannot exist unless this very finish wrote it.
        UsageStore.Marker prior = finish > 1 ? usage.marker(run.id()).orElse(null) : null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            if (prior != null && prior.finishes() >= finish) {
                usage.priceRun(run.id(), prior.finishes(), prior.costCents());  // a redelivery: show it, idempotently
                return new Result(false, prior.finishes(), prior.costCents());
            }
            RunUsage delta = RunUsage.measure(run.steps(), prior == null ? null : prior.meteredAt());
            boolean countsRun = prior == null;
            BigDecimal cost = billing.prices(run.orgId()).price(delta, countsRun);
            BigDecimal total = PriceList.plain(prior == null ? cost : prior.costCents().add(cost));
            if (usage.meter(new UsageStore.Meter(run.id(), run.orgId(), run.workflowId(), finish,
                    prior == null ? 0 : prior.finishes(), finishedAt, delta, cost, total, countsRun, run.status()))) {
                usage.priceRun(run.id(), finish, total);
                return new Result(true, finish, total);
            }
            Optional<UsageStore.Marker> now = usage.marker(run.id());
            if (now.isEmpty()) {
                throw new IllegalStateException("run " + run.id() + ": the metering write was refused, yet no marker");
            }
            prior = now.get();
        }
        throw new IllegalStateException("run " + run.id() + ": its metering kept being refused; retried by the stream");
    }
}
