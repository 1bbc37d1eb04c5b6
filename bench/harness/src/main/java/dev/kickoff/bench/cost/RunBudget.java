package dev.kickoff.bench.cost;

/**
 * What one single-step run may cost, in AWS requests and capacity units (measured 2026-11-23, see
 * docs/benchmarks.md). {@code RunCostTest} fails when a run costs more. Raising a number is a product decision:
 * do it together with the cost table in docs/benchmarks.md.
 */
public final class RunBudget {
    private RunBudget() {
    }

    /**
     * API function: the token-hash read and the workflow-head read, both strongly consistent, items under 4 KB (one
     * BatchGetItem on a warm instance: the same two read units).
     */
    public static final double API_READ_UNITS = 2;
    /**
     * API function: the run's PutItem (an item under 1 KB, queued before it is stored, so not listed in the
     * active-runs index), its entry in the runs list {@code gsi4} (keys only, written by the same PutItem; measured
     * 2026-12-02: 1 WRU, the raise from 2 when the runs list came), and the token's rate-limit counter (one
     * conditional ADD).
     */
    public static final double API_WRITE_UNITS = 3;
    /**
     * API function, warm instance: DynamoDB calls of any kind. Three since 2026-12-02 (was four): the token and the
     * head in one BatchGetItem, the limit counter, the run. A token's first request on an instance makes four.
     */
    public static final long API_DYNAMODB_CALLS = 3;
    /** API function: the run's message. */
    public static final long API_SQS_REQUESTS = 1;
    /**
     * Worker: a pure run's first delivery ends it with one conditional UpdateItem and no claim (an item under 1 KB;
     * the run was never listed, so nothing leaves the index).
     */
    public static final double WORKER_WRITE_UNITS = 1;
    /** Worker, warm instance: one consistent read of the run; the workflow version comes from its cache. */
    public static final double WORKER_READ_UNITS = 1;
    /** Worker: DynamoDB calls of any kind per run. */
    public static final long WORKER_DYNAMODB_CALLS = 2;
    /** SQS event source: one receive and one batch delete per batch. */
    public static final long EVENT_SOURCE_SQS_REQUESTS_PER_BATCH = 2;
    /**
     * Streams function, per finish (booked since 2026-12-02; metering came with issue 12 but the cost run left this
     * function out): metering's transaction of the marker, the day counter and the month total (3 small items, 2 WRU
     * each in a transaction), the run's cost shown on the run item (1), and the {@code run.completed} event item
     * the webhook fan-out stores (1).
     */
    public static final double STREAMS_WRITE_UNITS = 8;
    /** Streams function: the organization's subscriptions, one strongly consistent query (none: its minimum, 1). */
    public static final double STREAMS_READ_UNITS = 1;
    /** Streams function: DynamoDB calls per finish (transaction, run price, event, subscriptions). */
    public static final long STREAMS_DYNAMODB_CALLS = 4;
    /**
     * Request charges (API Gateway, Lambda invocations, DynamoDB, SQS) per million runs, light traffic, all three
     * functions: $1.00 + 3 invocations x $0.20 + 12 WRU x $0.625 + 4 RRU x $0.125 + 3 SQS requests x $0.40 =
     * $10.80. Raised on purpose on 2026-12-02 from $5.475 (API and worker only): the streams function's metering and
     * fan-out were never booked (+$5.325), not a new cost.
     */
    public static final double REQUEST_DOLLARS_PER_MILLION = 10.81;  // $10.80, and room for floating point
}
