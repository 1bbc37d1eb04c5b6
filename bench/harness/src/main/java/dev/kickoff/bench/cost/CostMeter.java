package dev.kickoff.bench.cost;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Counts what every AWS SDK v2 client in this JVM asks of AWS, for the cost benchmark and its regression test.
 * Installed through the SDK's global interceptor list ({@code software/amazon/awssdk/global/handlers/
 * execution.interceptors} on the bench classpath only), so the functions' own clients are metered without any
 * change to production code. While a {@link Ledger} is open it asks DynamoDB for {@code ReturnConsumedCapacity=
 * TOTAL} on every call and books the capacity DynamoDB reports; SQS requests are booked in billable 64 KB chunks.
 * With no ledger open it changes nothing.
 */
public final class CostMeter implements ExecutionInterceptor {
    private static volatile Ledger ledger;
    /** Set on a thread whose requests the open ledger must not book (a benchmark's own reads of its results). */
    private static final ThreadLocal<Boolean> UNMETERED = ThreadLocal.withInitial(() -> false);

    /** Starts booking into a fresh ledger (replacing any open one). */
    public static Ledger open() {
        Ledger fresh = new Ledger();
        ledger = fresh;
        return fresh;
    }

    /**
     * Runs {@code action} with this thread's requests left out of any open ledger: the synchronous SDK clients run
     * their interceptors on the calling thread, so what a benchmark reads to learn a run's outcome is not booked as
     * the run's cost.
     */
    public static <T> T unmetered(java.util.concurrent.Callable<T> action) throws Exception {
        boolean before = UNMETERED.get();
        UNMETERED.set(true);
        try {
            return action.call();
        } finally {
            UNMETERED.set(before);
        }
    }

    /** Stops booking; returns what was booked. */
    public static Ledger close() {
        Ledger closed = ledger;
        ledger = null;
        return closed;
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        if (ledger == null) {
            return context.request();
        }
        ReturnConsumedCapacity total = ReturnConsumedCapacity.TOTAL;
        return switch (context.request()) {
            case GetItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case PutItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case UpdateItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case DeleteItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case QueryRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case ScanRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case BatchGetItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case BatchWriteItemRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case TransactGetItemsRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            case TransactWriteItemsRequest r -> r.toBuilder().returnConsumedCapacity(total).build();
            default -> context.request();
        };
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        Ledger current = ledger;
        if (current == null || UNMETERED.get()) {
            return;
        }
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        SdkResponse response = context.response();
        double units = switch (response) {
            case GetItemResponse r -> units(r.consumedCapacity());
            case PutItemResponse r -> units(r.consumedCapacity());
            case UpdateItemResponse r -> units(r.consumedCapacity());
            case DeleteItemResponse r -> units(r.consumedCapacity());
            // DynamoDB Local reports 0 for a query that finds nothing; DynamoDB charges a read's minimum for it.
            case QueryResponse r -> Math.max(units(r.consumedCapacity()),
                    context.request() instanceof QueryRequest q && Boolean.TRUE.equals(q.consistentRead()) ? 1 : 0.5);
            case ScanResponse r -> units(r.consumedCapacity());
            case BatchGetItemResponse r -> units(r.consumedCapacity());
            case BatchWriteItemResponse r -> units(r.consumedCapacity());
            case TransactGetItemsResponse r -> units(r.consumedCapacity());
            // DynamoDB charges 2 WRU per item (per KB) written in a transaction; DynamoDB Local reports less for
            // several small items (4 for three), so the meter books at least DynamoDB's rule.
            case TransactWriteItemsResponse r -> Math.max(units(r.consumedCapacity()),
                    context.request() instanceof TransactWriteItemsRequest t ? 2.0 * t.transactItems().size() : 0);
            default -> 0;
        };
        long billable = switch (context.request()) {
            case SendMessageRequest r -> chunks(r.messageBody());
            case SendMessageBatchRequest r -> Math.max(1, r.entries().stream()
                    .mapToLong(e -> e.messageBody().getBytes(StandardCharsets.UTF_8).length).sum() / 65_536 + 1);
            default -> 1;
        };
        long messages = response instanceof ReceiveMessageResponse r ? r.messages().size() : 0;
        current.book(service, operation, billable, units, messages, false);
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        Ledger current = ledger;
        if (current != null && !UNMETERED.get()) {
            // A failed conditional write still costs its write units on AWS; the exception carries no capacity,
            // so it is booked as a failure for the report to price (at least one unit).
            current.book(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME),
                    attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), 1, 0, 0, true);
        }
    }

    private static long chunks(String body) {
        return Math.max(1, (body.getBytes(StandardCharsets.UTF_8).length + 65_535) / 65_536);
    }

    private static double units(ConsumedCapacity capacity) {
        return capacity == null || capacity.capacityUnits() == null ? 0 : capacity.capacityUnits();
    }

    private static double units(List<ConsumedCapacity> capacities) {
        return capacities == null ? 0 : capacities.stream().mapToDouble(CostMeter::units).sum();
    }
}
