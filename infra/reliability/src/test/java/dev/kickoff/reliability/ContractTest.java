package dev.kickoff.reliability;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The suite's reading of docs/openapi.yaml: which answers it accepts and which it holds against the API. */
class ContractTest {
    static Contract contract;

    @BeforeAll
    static void load() throws Exception {
        contract = Contract.load(Path.of("../.."));
    }

    @Test
    void everyDocumentedOperationIsListedWithItsScopeAndParameters() {
        assertThat(contract.operations()).extracting(Contract.Operation::key)
                .contains("POST /api/external/v1/workflows/{workflowId}/runs", "GET /api/v1/runs/{runId}",
                        "POST /api/manage/v1/webhooks/deliveries/{deliveryId}/replay", "GET /openapi.yaml");
        Contract.Operation trigger = contract.match("POST", "/api/v1/workflows/wf_12/run");
        assertThat(trigger.scope()).isEqualTo("workflows:execute");
        assertThat(trigger.executeLimited()).isTrue();
        assertThat(trigger.shape()).isEqualTo("v1");
        assertThat(contract.match("GET", "/openapi.yaml").isPublic()).isTrue();
        // the literal path wins over the template that could also match it
        assertThat(contract.match("POST", "/api/manage/v1/webhooks/deliveries/msg_1/replay").template())
                .isEqualTo("/api/manage/v1/webhooks/deliveries/{deliveryId}/replay");
    }

    @Test
    void aDocumentedErrorInTheCallersShapePasses() {
        assertThat(contract.check("GET", "/api/v1/runs/run_1", 404, "application/json",
                "{\"success\": false, \"error\": {\"code\": \"NOT_FOUND\", \"message\": \"Run not found\"}}").ok()).isTrue();
        assertThat(contract.check("GET", "/api/external/v1/workflows/1/runs/2", 401, "application/json",
                "{\"error\": \"missing API token\", \"code\": \"unauthenticated\"}").ok()).isTrue();
    }

    @Test
    void anErrorInAnotherShapeAnUndocumentedStatusOrA500Fails() {
        Contract.Verdict wrongShape = contract.check("GET", "/api/v1/runs/run_1", 404, "application/json",
                "{\"error\": \"not found\", \"code\": \"not_found\"}");
        assertThat(wrongShape.ok()).isFalse();
        assertThat(wrongShape.problem()).contains("V1Error");
        assertThat(contract.check("GET", "/api/v1/runs/run_1", 418, "application/json", "{}").problem())
                .contains("status 418 is not documented");
        assertThat(contract.check("DELETE", "/api/manage/v1/tokens/1", 400, null, "").ok()).isFalse();
        assertThat(contract.check("POST", "/workflows/1/run", 200, "text/html", "<html/>").ok()).isFalse();
    }

    @Test
    void apiGatewaysOwnRefusalsAndHeadRequestsAreAcceptedAsSuch() {
        Contract.Verdict gateway = contract.check("GET", "/api/%ZZ", 400, "application/json", "{\"message\":\"Bad Request\"}");
        assertThat(gateway.ok()).isTrue();
        assertThat(gateway.kind()).isEqualTo("gateway");
        assertThat(contract.check("GET", "/x", 431, "application/json", "{\"message\":\"Request Header Fields Too Large\"}").ok())
                .isTrue();
        assertThat(contract.check("HEAD", "/api/manage/v1/tokens", 200, "application/json", null).ok()).isTrue();
        assertThat(contract.check("HEAD", "/api/manage/v1/tokens", 418, "application/json", null).ok()).isFalse();
        assertThat(contract.check("HEAD", "/api/manage/v1/tokens", 431, "application/json", null).ok())
                .as("API Gateway's header-size refusal, bodiless for a HEAD").isTrue();
    }

    @Test
    void aPathWithoutAnOperationIsA404InItsApisShape() {
        assertThat(contract.check("PATCH", "/api/manage/v1/tokens", 404, "application/json",
                "{\"error\": \"no such endpoint\", \"code\": \"not_found\"}").ok()).isTrue();
        assertThat(contract.check("GET", "/workflows/1/nope", 404, "application/json",
                "{\"error\": {\"code\": \"NOT_FOUND\", \"message\": \"no such endpoint\"}}").ok()).isTrue();
        assertThat(contract.check("GET", "/workflows/1/nope", 200, "application/json", "{}").ok()).isFalse();
    }
}
