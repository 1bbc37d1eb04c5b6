package dev.kickoff.api;

/** Workflow definitions taken from the seeds, shared by the trigger-edge tests. */
final class SeedWorkflows {
    private SeedWorkflows() {
    }

    /** Seed 003's "Create Invoice": its inputSchema verbatim, and a step whose output the run status shows. */
    static final String CREATE_INVOICE = """
            {"name": "Create Invoice", "trigger": {"type": "api"},
             "inputSchema": {"type": "object", "required": ["customerId", "amount"],
               "properties": {
                 "customerId": {"type": "string", "pattern": "^cus_[a-zA-Z0-9]+$"},
                 "amount": {"type": "number", "minimum": 100},
                 "currency": {"type": "string", "enum": ["usd", "eur", "gbp"], "default": "usd"}}},
             "steps": [{"id": "create-invoice", "type": "transform", "name": "Create Invoice",
               "config": {"mapping": {"id": "inv_123", "customer": "{{input.customerId}}",
                                      "amount": "{{input.amount}}", "currency": "{{input.currency}}",
                                      "connection": "{{run.connection_id}}"}}}],
             "output": {"invoiceId": "{{steps.create-invoice.output.id}}"}}""";

    /** A closed schema: unknown fields are stripped (seed 003: "inputSchema may be stripping unknown fields"). */
    static final String CLOSED = """
            {"name": "Closed", "inputSchema": {"type": "object", "additionalProperties": false,
               "properties": {"orderId": {"type": "string"}, "priority": {"type": "string", "default": "normal"}}},
             "steps": [{"id": "echo", "type": "transform", "config": {"mapping": {"seen": "{{input}}"}}}]}""";

    /** No schema at all: anything goes. */
    static final String OPEN = """
            {"name": "Open", "steps": [{"id": "echo", "type": "transform", "config": {"mapping": {"seen": "{{input}}"}}}]}""";

    static final String FAILING = """
            {"name": "Fails", "steps": [{"id": "boom", "type": "fail",
             "config": {"message": "card declined for {{input.customerId}}"}}]}""";
}
