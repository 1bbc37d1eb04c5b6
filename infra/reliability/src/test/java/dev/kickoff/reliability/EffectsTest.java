package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** How effects are counted: one event per change, a repeat of a delivery only across a crash. */
class EffectsTest {
    static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    static Receiver.Reception run(String webhookId, String eventId, long runId, int secondsIn, int status) {
        JsonNode data = Json.parse("{\"workflow_run\": {\"id\": " + runId + "}}");
        return new Receiver.Reception(T.plusSeconds(secondsIn), webhookId, "0", true, null, eventId, "run.completed", data,
                null, 1, status);
    }

    @Test
    void theTableSaysWhichEventsMustComeForRunsAndCases() {
        Set<String> expected = Effects.expected(
                List.of(new Table.RunRow(7, 1, 2, "completed", null, null, null, null, 1, null),
                        new Table.RunRow(8, 1, 2, "in_progress", null, null, null, null, 1, null)),
                List.of(new Table.CaseRow(9, 1, 3, "Closed", null, 10L), new Table.CaseRow(11, 1, 3, "Error", null, 12L)));
        assertThat(expected).containsExactlyInAnyOrder("run.completed run:7", "case.created case:9",
                "case.status_changed case:9 Open>Triage", "case.status_changed case:9 Triage>Waiting",
                "case.status_changed case:9 Waiting>Closed", "case.created case:11", "case.status_changed case:11 *>Error");
    }

    @Test
    void aMissingEventATwiceMadeChangeAndARepeatedDeliveryAreEachCounted() {
        Set<String> expected = Set.of("run.completed run:1", "run.completed run:2", "run.completed run:3");
        Effects.Check check = Effects.check(expected, List.of(
                run("msg_a", "evt_a", 1, 0, 204),
                run("msg_b", "evt_b", 2, 1, 204), run("msg_c", "evt_c", 2, 2, 204),   // run 2 reported by two events
                run("msg_a", "evt_a", 1, 5, 204)), List.of());                        // msg_a again, no crash
        assertThat(check.missing()).containsExactly("run.completed run:3");
        assertThat(check.duplicated()).hasSize(1).first().asString().contains("run:2");
        assertThat(check.repeatedOutsideCrash()).hasSize(1).first().asString().contains("msg_a");
        assertThat(check.repeatedInCrashWindows()).isZero();
    }

    @Test
    void aDeliveryRepeatedAcrossACrashIsAllowedAndAFailedAttemptIsNotADelivery() {
        Effects.Check check = Effects.check(Set.of("run.completed run:1"), List.of(
                run("msg_a", "evt_a", 1, 0, 500), run("msg_a", "evt_a", 1, 1, 204), run("msg_a", "evt_a", 1, 9, 204)),
                List.of(T.plusSeconds(4)));
        assertThat(check.missing()).isEmpty();
        assertThat(check.repeatedOutsideCrash()).isEmpty();
        assertThat(check.repeatedInCrashWindows()).isEqualTo(1);
    }

    @Test
    void anInvalidSignatureCountsAndIsNotADelivery() {
        Receiver.Reception forged = new Receiver.Reception(T, "msg_x", "0", false, "bad", "evt_x", "run.completed",
                Json.parse("{\"workflow_run\": {\"id\": 1}}"), null, 1, 204);
        Effects.Check check = Effects.check(Set.of("run.completed run:1"), List.of(forged), List.of());
        assertThat(check.invalidSignatures()).hasSize(1);
        assertThat(check.missing()).containsExactly("run.completed run:1");
    }
}
