package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The workflows the crash, duplicate and load workloads run, each with its oracle: from the input alone, the run's
 * status and output, and for a case its final status, attributes and the status changes its webhooks must report.
 * Every kind that acts on the world (a {@code set_case} step; later an {@code http} step against a loopback counter)
 * has effects the suite can count, so "executed twice" shows.
 */
final class Workflows {
    enum Kind {
        /** Seed 003's order total, one pure step. */
        ORDER,
        /** Three pure steps, each reading the last. */
        CHAIN,
        /** A fail step: the run fails with a message that names its input. */
        FAILING,
        /** A direct case workflow: three set_case steps (impure, checkpointed) around a pure one. */
        CASE_FLOW,
        /**
         * An {@code http} step against the suite's loopback counter (an impure step whose effect is counted outside
         * Kickoff). Step types that act are coming (README, "Connections and secrets"): until the API accepts this
         * definition the kind is reported as not available and left out of the workloads; once it does, it joins them
         * by itself.
         */
        HTTP_COUNTER
    }

    /** The statuses the case flow moves a case through, after {@code Open}. */
    static final List<String> CASE_STATUSES = List.of("Triage", "Waiting", "Closed");

    static String definition(Kind kind, String counterUrl) {
        return switch (kind) {
            case ORDER -> """
                    {"name": "Order total", "trigger": {"type": "api"},
                     "steps": [{"id": "calculate-total", "type": "transform", "name": "Calculate Order Total",
                       "config": {"mapping": {
                         "subtotal": "{{input.items | map: 'quantity * price' | sum}}",
                         "tax": "{{input.items | map: 'quantity * price' | sum | times: 0.08}}",
                         "total": "{{input.items | map: 'quantity * price' | sum | times: 1.08}}"}}}]}""";
            case CHAIN -> """
                    {"name": "Chain", "steps": [
                      {"id": "one", "type": "transform", "config": {"mapping": {"doubled": "{{input.n | times: 2}}", "label": "n={{input.n}}"}}},
                      {"id": "two", "type": "transform", "config": {"mapping": {"plus": "{{steps.one.output.doubled | plus: 7}}", "label": "{{steps.one.output.label | upcase}}"}}},
                      {"id": "three", "type": "transform", "config": {"mapping": {"result": "{{steps.two.output.plus}}", "label": "{{steps.two.output.label}}"}}}]}""";
            case FAILING -> """
                    {"name": "Declines", "steps": [{"id": "decline", "type": "fail", "config": {"message": "declined {{input.tag}}"}}]}""";
            case CASE_FLOW -> """
                    {"name": "Case flow", "kind": "direct_case", "statuses": ["Triage", "Waiting"],
                     "attributeSchema": {"type": "object", "properties": {"n": {"type": "integer"}, "tag": {"type": "string"}}},
                     "steps": [
                       {"id": "triage", "type": "set_case", "config": {"status": "Triage", "attributes": {"seen": "{{case.attributes.n}}"}}},
                       {"id": "calc", "type": "transform", "config": {"mapping": {"tripled": "{{case.attributes.n | times: 3}}"}}},
                       {"id": "wait", "type": "set_case", "config": {"status": "Waiting", "attributes": {"tripled": "{{steps.calc.output.tripled}}"}}},
                       {"id": "close", "type": "set_case", "config": {"status": "Closed", "attributes": {"seen": null, "done": true}}}]}""";
            case HTTP_COUNTER -> """
                    {"name": "HTTP counter", "steps": [
                      {"id": "count", "type": "http", "config": {"method": "POST", "url": "%s", "body": {"tag": "{{input.tag}}"}}}],
                     "output": {"status": "{{steps.count.output.status}}"}}""".formatted(counterUrl);
        };
    }

    /** A random input for a kind; {@code tag} names the request it belongs to. */
    static ObjectNode input(Kind kind, String tag, Random random) {
        ObjectNode input = Json.object();
        input.put("tag", tag);
        switch (kind) {
            case ORDER -> {
                ArrayNode items = input.putArray("items");
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    ObjectNode item = items.addObject();
                    item.put("product", "p" + random.nextInt(100));
                    item.put("quantity", 1 + random.nextInt(5));
                    item.put("price", 1 + random.nextInt(9999));
                }
            }
            case CHAIN, CASE_FLOW -> input.put("n", 1 + random.nextInt(1000));
            default -> {
            }
        }
        return input;
    }

    /** What a finished run must look like: its status, and its output (completed) or error (failed). */
    record Expected(String status, JsonNode output, String error) {
    }

    static Expected expected(Kind kind, JsonNode input) {
        return switch (kind) {
            case ORDER -> {
                BigDecimal subtotal = BigDecimal.ZERO;
                for (JsonNode item : input.path("items")) {
                    subtotal = subtotal.add(BigDecimal.valueOf(item.get("quantity").asLong())
                            .multiply(BigDecimal.valueOf(item.get("price").asLong())));
                }
                ObjectNode out = Json.object();
                out.put("subtotal", subtotal);
                out.put("tax", subtotal.multiply(new BigDecimal("0.08")));
                out.put("total", subtotal.multiply(new BigDecimal("1.08")));
                yield new Expected("completed", out, null);
            }
            case CHAIN -> {
                long n = input.get("n").asLong();
                ObjectNode out = Json.object();
                out.put("result", 2 * n + 7);
                out.put("label", "N=" + n);
                yield new Expected("completed", out, null);
            }
            case FAILING -> new Expected("failed", null, "declined " + input.get("tag").asText());
            case CASE_FLOW -> new Expected("completed", null, null);
            case HTTP_COUNTER -> {
                ObjectNode out = Json.object();
                out.put("status", 200);
                yield new Expected("completed", out, null);
            }
        };
    }

    /** The attributes a case flow leaves on its case: the input's, the step's results, {@code seen} removed. */
    static ObjectNode expectedAttributes(JsonNode attributes) {
        ObjectNode out = attributes.deepCopy();
        out.put("tripled", attributes.get("n").asLong() * 3);
        out.put("done", true);
        out.remove("seen");
        return out;
    }

    /** Does an actual output equal the expected one (null: anything), numbers as numbers ({@code 319.84} = {@code 319.840})? */
    static boolean same(JsonNode expected, JsonNode actual) {
        if (expected == null || expected.isMissingNode()) {
            return true;  // nothing expected: any output
        }
        if (actual == null) {
            return false;
        }
        if (expected.isNumber() && actual.isNumber()) {
            return expected.decimalValue().compareTo(actual.decimalValue()) == 0;
        }
        if (expected.isObject() && actual.isObject()) {
            if (expected.size() != actual.size()) {
                return false;
            }
            var names = expected.fieldNames();
            while (names.hasNext()) {
                String n = names.next();
                if (!actual.has(n) || !same(expected.get(n), actual.get(n))) {
                    return false;
                }
            }
            return true;
        }
        if (expected.isArray() && actual.isArray()) {
            if (expected.size() != actual.size()) {
                return false;
            }
            for (int i = 0; i < expected.size(); i++) {
                if (!same(expected.get(i), actual.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return expected.equals(actual);
    }

    /** The workflows of one organization, by kind (a kind the API does not accept yet is absent). */
    record Set(long orgId, Map<Kind, Long> ids, List<String> unavailable) {
        Long id(Kind kind) {
            return ids.get(kind);
        }
    }

    /** Creates and publishes every kind in an organization; a kind the API refuses as unknown is noted, not fatal. */
    static Set publishAll(Http http, long orgId, String manageToken, String counterUrl) {
        Map<Kind, Long> ids = new EnumMap<>(Kind.class);
        List<String> unavailable = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            Http.Answer created = http.send("POST", "/api/manage/v1/workflows", manageToken, definition(kind, counterUrl));
            if (created.status() != 201) {
                if (kind == Kind.HTTP_COUNTER && created.status() == 422 && created.body().contains("unknown step type")) {
                    unavailable.add(kind + ": " + created.json().path("validation_errors").path(0).path("error").asText());
                    continue;
                }
                throw new IllegalStateException("creating the " + kind + " workflow answered " + created);
            }
            long id = created.json().path("workflow").path("id").asLong();
            http.expect(200, "POST", "/api/manage/v1/workflows/" + id + "/publish", manageToken, null);
            ids.put(kind, id);
        }
        return new Set(orgId, ids, unavailable);
    }
}
