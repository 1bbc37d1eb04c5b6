package dev.kickoff.reliability;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/** Percentiles of a sample (nearest rank), for latencies and recovery times. */
final class Stats {
    private final List<Double> sorted;

    Stats(Collection<Double> values) {
        sorted = new ArrayList<>(values);
        Collections.sort(sorted);
    }

    int count() {
        return sorted.size();
    }

    /** The p-th percentile (0–100) by nearest rank; NaN for an empty sample. */
    double percentile(double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.min(sorted.size() - 1, Math.max(0, rank - 1)));
    }

    double median() {
        return percentile(50);
    }

    double max() {
        return sorted.isEmpty() ? Double.NaN : sorted.getLast();
    }

    double min() {
        return sorted.isEmpty() ? Double.NaN : sorted.getFirst();
    }
}
