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
     * function out): metering's transaction of the marker and the day counter (2 small items, 2 WRU each in a
     * transaction) and the run's cost shown on the run item (1). Was 8 when first booked: the transaction also
     * held a per-shard month total (2), now the quota adds up the day counters, and the fan-out stored every
     * {@code run.completed} event (1), now only an event some subscription wants.
     */
    public static final double STREAMS_WRITE_UNITS = 5;
    /** Streams function: the organization's subscriptions, one strongly consistent query (none: its minimum, 1). */
    public static final double STREAMS_READ_UNITS = 1;
    /** Streams function: DynamoDB calls per finish (transaction, run price, subscriptions; was 4 with the event). */
    public static final long STREAMS_DYNAMODB_CALLS = 3;
    /**
     * Request charges (API Gateway, Lambda invocations, DynamoDB, SQS) per million runs, light traffic, all three
     * functions: $1.00 + 3 invocations x $0.20 + 9 WRU x $0.625 + 4 RRU x $0.125 + 3 SQS requests x $0.40 =
     * $8.925. Raised on purpose on 2026-12-02 from $5.475 (API and worker only) to $10.80 when the streams function's
     * metering and fan-out were first booked (never booked before, not a new cost), then lowered to $8.925 by
     * metering's cuts (no month total item, no event item without a subscriber).
     */
    public static final double REQUEST_DOLLARS_PER_MILLION = 8.93;  // $8.925, and room for floating point
}
