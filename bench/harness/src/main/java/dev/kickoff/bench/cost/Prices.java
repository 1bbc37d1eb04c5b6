package dev.kickoff.bench.cost;

/**
 * AWS list prices the cost model uses: us-east-1, on-demand, no free tier, as published on AWS's pricing pages
 * (taken 2026-11-23; docs/benchmarks.md says which were verified against a second source). Lambda is arm64, as
 * template.yaml deploys it.
 */
public final class Prices {
    private Prices() {
    }

    public static final String REGION = "us-east-1";
    public static final String TAKEN = "2026-11-23";

    /** HTTP API: per request (first 300 million a month; a request is metered in 512 KB increments). */
    public static final double HTTP_API_REQUEST = 1.00 / 1e6;
    /** Lambda: per invocation. */
    public static final double LAMBDA_REQUEST = 0.20 / 1e6;
    /** Lambda arm64: per GB-second (first 7.5 billion GB-seconds a month), billed per millisecond. */
    public static final double LAMBDA_ARM_GB_SECOND = 0.0000133334;
    /** DynamoDB on-demand (standard table class): per write request unit (since 2024-11-01). */
    public static final double DYNAMODB_WRU = 0.625 / 1e6;
    /** DynamoDB on-demand (standard table class): per read request unit (since 2024-11-01). */
    public static final double DYNAMODB_RRU = 0.125 / 1e6;
    /** SQS standard queue: per request, each 64 KB chunk of a payload being one request. */
    public static final double SQS_REQUEST = 0.40 / 1e6;
    /** CloudWatch Logs: per GB ingested (Lambda's logs, first tier of vended-log pricing). */
    public static final double LOGS_GB = 0.50;
    /** X-Ray: per trace recorded (template.yaml sets Tracing: Active). */
    public static final double XRAY_TRACE = 5.00 / 1e6;
    /** Share of requests Lambda's X-Ray sampling records beyond the first each second (per function). */
    public static final double XRAY_SAMPLED = 0.05;

    /** Step Functions Standard: per state transition. */
    public static final double SFN_STANDARD_TRANSITION = 25.00 / 1e6;
    /** Step Functions Express: per request, and per GB-second at the smallest (64 MB) billing size. */
    public static final double SFN_EXPRESS_REQUEST = 1.00 / 1e6;
    public static final double SFN_EXPRESS_GB_SECOND = 0.00001667;
}
