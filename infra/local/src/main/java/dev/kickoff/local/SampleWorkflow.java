package dev.kickoff.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.bootstrap.CompositionRoot;

/** The workflow a fresh local stack starts with: seed 003's "Calculate Order Total", published. */
final class SampleWorkflow {
    static final JsonNode DEFINITION = Json.parse("""
            {
              "name": "Process Customer Order",
              "description": "Calculate an order's totals (the seed's calculate-total step)",
              "trigger": {"type": "api"},
              "inputSchema": {"type": "object", "required": ["customerId", "items"]},
              "steps": [
                {"id": "calculate-total", "type": "transform", "name": "Calculate Order Total",
                 "config": {"mapping": {
                   "subtotal": "{{input.items | map: 'quantity * price' | sum}}",
                   "tax": "{{input.items | map: 'quantity * price' | sum | times: 0.08}}",
                   "total": "{{input.items | map: 'quantity * price' | sum | times: 1.08}}"}}}
              ]
            }
            """);

    static final JsonNode SAMPLE_INPUT = Json.parse("""
            {"input": {"customerId": "cus_123", "items": [{"product": "Widget", "quantity": 2, "price": 1999}]}}""");

    private SampleWorkflow() {
    }

    static long create(CompositionRoot runtime, long orgId) {
        var view = runtime.workflows().create(orgId, DEFINITION);
        runtime.workflows().publish(orgId, view.workflow().id(), null);
        return view.workflow().id();
    }
}
