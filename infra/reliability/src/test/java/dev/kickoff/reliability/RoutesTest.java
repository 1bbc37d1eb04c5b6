package dev.kickoff.reliability;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every documented operation is callable by the suite, and one it cannot call is named, never skipped. */
class RoutesTest {
    @Test
    void everyOperationOfTheContractIsClassified() throws Exception {
        List<Routes.Route> routes = Routes.classify(Contract.load(Path.of("../..")), "http://127.0.0.1:1/h");
        assertThat(routes).allSatisfy(r -> assertThat(r.problem()).as(r.op().key()).isNull());
        Routes.Route trigger = routes.stream().filter(r -> r.op().key().equals("POST /workflows/{workflowId}/run")).findFirst()
                .orElseThrow();
        assertThat(trigger.apiScope()).isTrue();
        assertThat(trigger.body()).contains("payload");
    }

    @Test
    void aRouteWithAParameterOrScopeTheSuiteDoesNotKnowIsUnclassified() {
        Contract contract = new Contract(Json.parse("""
                {"paths": {
                  "/api/manage/v1/signals/{signalId}": {"post": {"x-kickoff-scope": "signals:write",
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Signal"}}}},
                    "responses": {"202": {"description": "ok"}}}},
                  "/api/manage/v1/schedules": {"post": {"x-kickoff-scope": "workflows:write",
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Schedule"}}}},
                    "responses": {"201": {"description": "ok"}}}}},
                 "components": {"schemas": {
                   "Signal": {"type": "object"},
                   "Schedule": {"type": "object", "required": ["cron", "enabled", "tags"], "properties": {
                     "cron": {"type": "string", "minLength": 9}, "enabled": {"type": "boolean"},
                     "tags": {"type": "array", "minItems": 1, "items": {"enum": ["a", "b"]}}}}}}}
                """));
        List<Routes.Route> routes = Routes.classify(contract, "http://127.0.0.1:1/h");
        Routes.Route signal = routes.stream().filter(r -> r.op().template().contains("signals")).findFirst().orElseThrow();
        assertThat(signal.classified()).isFalse();
        assertThat(signal.problem()).contains("{signalId}").contains("signals:write");
        Routes.Route schedule = routes.stream().filter(r -> r.op().template().contains("schedules")).findFirst().orElseThrow();
        assertThat(schedule.classified()).as("a new route with known parts joins by itself").isTrue();
        assertThat(Json.read(schedule.body()).toString()).isEqualTo("{\"cron\":\"xxxxxxxxx\",\"enabled\":true,\"tags\":[\"a\"]}");
    }
}
