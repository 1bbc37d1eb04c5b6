package dev.kickoff.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.api.ApiHandler;
import dev.kickoff.emulators.AwsEndpoints;
import dev.kickoff.emulators.CloudFormationTemplate;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.Provisioner;
import dev.kickoff.emulators.StackResources;
import dev.kickoff.emulators.testing.LambdaHttp;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;

import java.util.Map;

/**
 * A copy of the template's resources on the emulators, with an organization, an API token and published
 * workflows, set up the way a customer would: the organization as the admin function does, everything else
 * through the management API of the real API handler.
 */
public final class BenchStack {
    /** Seed 003's "Calculate Order Total": the single-step run the cost target is about. */
    public static final String ONE_STEP = """
            {"name": "Calculate Order Total", "trigger": {"type": "api"},
             "steps": [{"id": "calculate-total", "type": "transform", "name": "Calculate Order Total",
               "config": {"mapping": {
                 "subtotal": "{{input.items | map: 'quantity * price' | sum}}",
                 "tax": "{{input.items | map: 'quantity * price' | sum | times: 0.08}}",
                 "total": "{{input.items | map: 'quantity * price' | sum | times: 1.08}}"}}}]}
            """;

    /** Three transform steps, each reading the one before: the end-to-end benchmark's workflow. */
    public static final String THREE_STEPS = """
            {"name": "Order Pipeline", "trigger": {"type": "api"},
             "steps": [
               {"id": "calculate-total", "type": "transform", "name": "Calculate Order Total",
                "config": {"mapping": {
                  "subtotal": "{{input.items | map: 'quantity * price' | sum}}",
                  "count": "{{input.items | size}}"}}},
               {"id": "apply-tax", "type": "transform", "name": "Apply Tax",
                "config": {"mapping": {
                  "tax": "{{steps.calculate-total.output.subtotal | times: 0.08}}",
                  "total": "{{steps.calculate-total.output.subtotal | times: 1.08}}"}}},
               {"id": "summarize", "type": "transform", "name": "Summarize",
                "config": {"mapping": {
                  "customer": "{{input.customerId | upcase}}",
                  "total": "{{steps.apply-tax.output.total}}",
                  "line": "{{input.customerId}} owes {{steps.apply-tax.output.total}}"}}}]}
            """;

    /** What the benchmarks send as a run's input (seed 000's example order). */
    public static final String RUN_BODY =
            "{\"input\":{\"customerId\":\"cus_123\",\"items\":[{\"product\":\"Widget\",\"quantity\":2,\"price\":1999}]}}";

    public final AwsEndpoints endpoints;
    public final StackResources resources;
    public final Map<String, String> apiEnvironment;
    public final CompositionRoot runtime;
    public final ApiHandler api;
    public final LambdaHttp http;
    public final long orgId;
    public final String manageToken;
    public final String apiToken;

    /** An execute limit no benchmark reaches (the largest an operator may set). */
    public static final int BENCH_EXECUTE_LIMIT = 100_000;

    private BenchStack(AwsEndpoints endpoints, String stackName) {
        this.endpoints = endpoints;
        endpoints.install();
        this.resources = new Provisioner(endpoints.dynamoDbClient(), endpoints.sqsClient())
                .provision(CloudFormationTemplate.load(CloudFormationTemplate.locate()), stackName, endpoints.region());
        this.apiEnvironment = FunctionSpec.of("ApiFunction", resources).environment();
        this.runtime = new CompositionRoot(Settings.fromEnvironment(Map.of("KICKOFF_TABLE",
                apiEnvironment.get("KICKOFF_TABLE"), "KICKOFF_RUNS_QUEUE_URL", apiEnvironment.get("KICKOFF_RUNS_QUEUE_URL"))));
        // Metrics stay on, as deployed: their EMF documents are log bytes the cost benchmark must count.
        this.api = new ApiHandler(apiEnvironment);
        this.http = new LambdaHttp(api, "api.kickoff.bench");
        var boot = runtime.organizations().create("bench-" + System.nanoTime());
        this.orgId = boot.organization().id();
        // The benchmarks start far more than the default 500 runs a minute with one token; an operator raises an
        // organization's own limit the same way (the admin function's set-execute-rate-limit).
        runtime.executeLimits().setLimit(orgId, BENCH_EXECUTE_LIMIT);
        this.manageToken = boot.manageToken().secret();
        this.apiToken = expect(http.post("/api/manage/v1/tokens", manageToken, "{\"name\":\"bench\",\"scope\":\"api\"}"),
                201).get("secret").asText();
    }

    /** Provisions {@code stackName} on the emulators at {@code endpoints} and seeds it. */
    public static BenchStack provision(AwsEndpoints endpoints, String stackName) {
        return new BenchStack(endpoints, stackName);
    }

    /** Creates and publishes a workflow through the management API; returns its ID. */
    public long publish(String definition) {
        long id = expect(http.post("/api/manage/v1/workflows", manageToken, definition), 201)
                .get("workflow").get("id").asLong();
        expect(http.post("/api/manage/v1/workflows/" + id + "/publish", manageToken, null), 200);
        return id;
    }

    public static String runsPath(long workflowId) {
        return "/api/external/v1/workflows/" + workflowId + "/runs";
    }

    /** Starts one run through the API handler; returns its ID. */
    public long trigger(long workflowId) {
        return expect(http.post(runsPath(workflowId), apiToken, RUN_BODY), 201).get("workflow_run").get("id").asLong();
    }

    public String queueUrl() {
        return resources.queue("RunsQueue").url();
    }

    public String tableName() {
        return resources.table("KickoffTable").name();
    }

    static JsonNode expect(LambdaHttp.Response response, int status) {
        if (response.status() != status) {
            throw new IllegalStateException("expected " + status + ", got " + response);
        }
        return response.json();
    }
}
