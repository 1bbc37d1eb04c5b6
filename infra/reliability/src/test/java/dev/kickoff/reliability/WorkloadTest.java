package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The workloads' oracles and their seeded mix. */
class WorkloadTest {
    static final Workflows.Set SET = new Workflows.Set(1, Map.of(Workflows.Kind.ORDER, 10L, Workflows.Kind.CHAIN, 11L,
            Workflows.Kind.FAILING, 12L, Workflows.Kind.CASE_FLOW, 13L), List.of());

    @Test
    void theOrderOracleIsExactDecimalAndComparesNumbersAsNumbers() {
        JsonNode input = Json.parse("{\"tag\": \"t\", \"items\": [{\"product\": \"Widget\", \"quantity\": 2, \"price\": 1999}]}");
        Workflows.Expected e = Workflows.expected(Workflows.Kind.ORDER, input);
        assertThat(e.status()).isEqualTo("completed");
        assertThat(Workflows.same(e.output(), Json.parse("{\"subtotal\": 3998, \"tax\": 319.84, \"total\": 4317.84}"))).isTrue();
        assertThat(Workflows.same(e.output(), Json.parse("{\"subtotal\": 3998, \"tax\": 319.840, \"total\": 4317.840}"))).isTrue();
        assertThat(Workflows.same(e.output(), Json.parse("{\"subtotal\": 3998, \"tax\": 319.84, \"total\": 4317.840000000001}")))
                .isFalse();
        assertThat(Workflows.same(e.output(), Json.parse("{\"subtotal\": 3998, \"tax\": 319.84}"))).isFalse();
    }

    @Test
    void theCaseFlowLeavesItsStepsResultsAndDropsWhatItRemoved() {
        assertThat(Workflows.expectedAttributes(Json.parse("{\"tag\": \"t\", \"n\": 5}")).toString())
                .isEqualTo("{\"tag\":\"t\",\"n\":5,\"tripled\":15,\"done\":true}");
        assertThat(Workflows.expected(Workflows.Kind.FAILING, Json.parse("{\"tag\": \"x-1\"}")).error()).isEqualTo("declined x-1");
        assertThat(Workflows.expected(Workflows.Kind.CHAIN, Json.parse("{\"n\": 4}")).output().toString())
                .isEqualTo("{\"result\":15,\"label\":\"N=4\"}");
    }

    @Test
    void aSeedMakesTheSameMixOfShapesKeysAndCases() {
        List<Workload.Job> a = Workload.jobs("p", 200, SET, 42, Workload.runKinds(SET), 0.3, 0.25, 4);
        List<Workload.Job> b = Workload.jobs("p", 200, SET, 42, Workload.runKinds(SET), 0.3, 0.25, 4);
        assertThat(a).isEqualTo(b);
        assertThat(a.stream().map(Workload.Job::shape).distinct()).containsExactlyInAnyOrder(Shape.values());
        assertThat(a.stream().filter(j -> j.key() != null).count()).isBetween(30L, 70L);
        assertThat(a.stream().filter(Workload.Job::isCase)).allSatisfy(j -> assertThat(j.key()).isNull());
        assertThat(a.stream().map(Workload.Job::tag).distinct().count()).isEqualTo(200);
        assertThat(Workflows.input(Workflows.Kind.ORDER, "t", new Random(1)).path("tag").asText()).isEqualTo("t");
    }

    @Test
    void eachShapeFindsTheNewRunsIdInItsAnswer() {
        assertThat(Shape.CANONICAL.id(Json.parse("{\"workflow_run\": {\"id\": 42}}"))).isEqualTo(42L);
        assertThat(Shape.V1.id(Json.parse("{\"success\": true, \"data\": {\"runId\": \"run_42\"}}"))).isEqualTo(42L);
        assertThat(Shape.MINIMAL.id(Json.parse("{\"data\": {\"execution_id\": \"exec_42\"}}"))).isEqualTo(42L);
        assertThat(Shape.WORKSPACE.id(Json.parse("{\"id\": \"6b69636b-6f66-8300-8000-00000000002a\"}"))).isEqualTo(42L);
        assertThat(Shape.CASE.id(Json.parse("{\"case\": {\"id\": 42}}"))).isEqualTo(42L);
        assertThat(Shape.V1.path(1, 2)).isEqualTo("/api/v1/workflows/wf_2/run");
        assertThat(Shape.V1.headers("api_x", "k")).containsEntry("x-api-key", "api_x").containsEntry("Idempotency-Key", "k");
    }

    @Test
    void aKeyStillBeingProcessedIsRetriedInEveryShapeAndAReusedKeyIsNot() {
        assertThat(Workload.keyInProgress(new Http.Answer(409, null, "{\"detail\":\"another request with this idempotency"
                + " key is being processed; retry in a moment\"}", 0, null))).as("seed 002's shape").isTrue();
        assertThat(Workload.keyInProgress(new Http.Answer(409, null, "{\"error\": {\"code\": \"CONFLICT\"}}", 0, null)))
                .isTrue();
        assertThat(Workload.keyInProgress(new Http.Answer(409, null, "{\"code\": \"IDEMPOTENCY_KEY_REUSED\"}", 0, null)))
                .isFalse();
        assertThat(Workload.keyInProgress(new Http.Answer(422, null, "being processed", 0, null))).isFalse();
    }
}
