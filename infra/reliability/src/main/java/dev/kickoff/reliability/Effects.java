package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The effects a workload must have on the world, counted at a webhook receiver: one {@code run.completed} or
 * {@code run.failed} per finished run, one {@code case.created} per case and one {@code case.status_changed} per status
 * a case went through — each exactly once as an event (a second event for the same change means the change was made,
 * or read from the stream, twice), each delivered with a valid signature, and the same delivery received twice only
 * across a crash (README: delivery is at least once "a crash at the wrong moment can repeat an attempt").
 */
final class Effects {
    /** What the receiver shows against what the table says happened. */
    record Check(int expected, List<String> missing, List<String> duplicated, List<String> unexpected,
                 List<String> repeatedOutsideCrash, int repeatedInCrashWindows, List<String> invalidSignatures) {
        boolean complete() {
            return missing.isEmpty();
        }
    }

    private Effects() {
    }

    /**
     * The events the table's runs and cases must have produced: for each finished run its terminal event, for each
     * case its creation and every status change the case flow makes (a case parked in Error: its creation only).
     */
    static Set<String> expected(List<Table.RunRow> runs, List<Table.CaseRow> cases) {
        Set<String> out = new TreeSet<>();
        for (Table.RunRow r : runs) {
            if (r.terminal()) {
                out.add("run." + r.status() + " run:" + r.runId());
            }
        }
        for (Table.CaseRow c : cases) {
            out.add("case.created case:" + c.caseId());
            if ("Closed".equals(c.status())) {
                String previous = "Open";
                for (String status : Workflows.CASE_STATUSES) {
                    out.add("case.status_changed case:" + c.caseId() + " " + previous + ">" + status);
                    previous = status;
                }
            } else if ("Error".equals(c.status())) {
                out.add("case.status_changed case:" + c.caseId() + " *>Error");
            }
        }
        return out;
    }

    /** The key of the change an event reports. */
    static String key(String type, JsonNode data) {
        if (type == null) {
            return "?";
        }
        if (type.startsWith("run.")) {
            return type + " run:" + data.path("workflow_run").path("id").asLong();
        }
        if (type.equals("case.created")) {
            return type + " case:" + data.path("case").path("id").asLong();
        }
        if (type.equals("case.status_changed")) {
            String to = data.path("case").path("status").asText();
            return type + " case:" + data.path("case").path("id").asLong() + " "
                    + ("Error".equals(to) ? "*" : data.path("previous_status").asText()) + ">" + to;
        }
        return type + " ?";
    }

    static Check check(Set<String> expected, List<Receiver.Reception> receptions, List<Instant> kills) {
        Map<String, Set<String>> eventIdsByKey = new HashMap<>();
        Map<String, List<Receiver.Reception>> successesById = new HashMap<>();
        Set<String> delivered = new LinkedHashSet<>();
        List<String> invalid = new ArrayList<>();
        for (Receiver.Reception r : receptions) {
            if (!r.validSignature()) {
                invalid.add(r.webhookId() + " " + r.type() + ": " + r.verifyError());
                continue;
            }
            String key = key(r.type(), r.data());
            eventIdsByKey.computeIfAbsent(key, k -> new TreeSet<>()).add(r.eventId());
            if (r.succeeded()) {
                delivered.add(key);
                successesById.computeIfAbsent(r.webhookId(), k -> new ArrayList<>()).add(r);
            }
        }
        List<String> missing = new ArrayList<>();
        for (String e : expected) {
            if (!delivered.contains(e)) {
                missing.add(e);
            }
        }
        List<String> duplicated = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        eventIdsByKey.forEach((key, ids) -> {
            if (ids.size() > 1) {
                duplicated.add(key + ": " + ids.size() + " events " + ids);
            }
            if (!expected.contains(key)) {
                unexpected.add(key);
            }
        });
        List<String> outside = new ArrayList<>();
        int inWindows = 0;
        for (var e : successesById.entrySet()) {
            List<Receiver.Reception> list = e.getValue();
            for (int i = 1; i < list.size(); i++) {
                Instant first = list.getFirst().at();
                Instant again = list.get(i).at();
                boolean crashBetween = kills.stream().anyMatch(k -> !k.isBefore(first.minusMillis(50)) && k.isBefore(again));
                if (crashBetween) {
                    inWindows++;
                } else {
                    outside.add(e.getKey() + " (" + list.getFirst().type() + ") received " + list.size() + " times, "
                            + Duration.between(first, again).toMillis() + " ms apart, no crash between");
                }
            }
        }
        return new Check(expected.size(), missing, duplicated, unexpected, outside, inWindows, invalid);
    }

    /** Waits until every expected event arrived or the deadline passed; returns the last check. */
    static Check await(Supplier<Set<String>> expected, Receiver receiver, List<Instant> kills, Duration deadline) {
        long limit = System.nanoTime() + deadline.toNanos();
        Check check;
        do {
            check = check(expected.get(), receiver.receptions(), kills);
            if (check.complete()) {
                return check;
            }
            Workload.sleep(1000);
        } while (System.nanoTime() < limit);
        return check;
    }
}
