package dev.kickoff.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kickoff.emulators.AwsEndpoints;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.PurgeQueueRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The warm trigger path, in one JVM started with the API function's JVM flags: {@code POST …/runs} through the
 * API handler (API Gateway payload 2.0 event in, response out), against
 * <ul>
 *   <li>the <b>floor</b>: one PutItem of a run-sized item plus one SendMessage, issued directly with clients built
 *       exactly as the function builds its own (same SDK, same URLConnection HTTP client, same settings);</li>
 *   <li>the <b>path's own I/O</b>: the floor plus the two strongly consistent GetItems the trigger makes (token
 *       hash, workflow head), i.e. everything but Kickoff's and Micronaut's code;</li>
 *   <li>the same reads as one consistent BatchGetItem, and as one TransactGetItems (which to use);</li>
 *   <li>the I/O the warm trigger waits for now (the batched read with the limit counter's write beside it, then
 *       the floor) and before (both reads and the counter one after another, then the floor).</li>
 * </ul>
 * Modes alternate in blocks of {@value #BLOCK}, so that noise from other work on the machine hits all three.
 * Arguments: DynamoDB endpoint, SQS endpoint, output JSON file, measured calls per mode.
 */
public final class TriggerPathBench {
    static final int BLOCK = 100;

    public record ModeResult(String mode, int calls, Stats latencyMs, double perSecond) {
    }

    public record Result(List<ModeResult> modes, String jvmFlags) {
    }

    public static void main(String[] args) throws Exception {
        AwsEndpoints endpoints = AwsEndpoints.local(URI.create(args[0]), URI.create(args[1]));
        Path out = Path.of(args[2]);
        int calls = Integer.parseInt(args[3]);
        BenchStack stack = BenchStack.provision(endpoints, "bench-trigger");
        long workflow = stack.publish(BenchStack.ONE_STEP);
        String path = BenchStack.runsPath(workflow);
        DynamoDbClient dynamo = stack.runtime.dynamo();
        SqsClient sqs = stack.runtime.sqs();
        String table = stack.tableName();
        String queue = stack.queueUrl();
        String tokenHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(stack.apiToken.getBytes(StandardCharsets.UTF_8)));
        Map<String, AttributeValue> tokenKey = Map.of("pk", AttributeValue.fromS("TOKENHASH#" + tokenHash),
                "sk", AttributeValue.fromS("TOKENHASH"));
        Map<String, AttributeValue> headKey = Map.of("pk", AttributeValue.fromS("ORG#" + stack.orgId),
                "sk", AttributeValue.fromS("WF#" + String.format("%016d", workflow)));

        Runnable subject = () -> BenchStack.expect(stack.http.post(path, stack.apiToken, BenchStack.RUN_BODY), 201);
        Runnable floor = () -> putAndSend(dynamo, sqs, table, queue, stack.orgId, workflow);
        Runnable pathIo = () -> {
            dynamo.getItem(GetItemRequest.builder().tableName(table).key(tokenKey).consistentRead(true).build());
            dynamo.getItem(GetItemRequest.builder().tableName(table).key(headKey).consistentRead(true).build());
            putAndSend(dynamo, sqs, table, queue, stack.orgId, workflow);
        };
        Map<String, KeysAndAttributes> both = Map.of(table, KeysAndAttributes.builder().keys(tokenKey, headKey)
                .consistentRead(true).build());
        Runnable batchRead = () -> {
            if (dynamo.batchGetItem(BatchGetItemRequest.builder().requestItems(both).build())
                    .responses().get(table).size() != 2) {
                throw new IllegalStateException("BatchGetItem did not answer both items");
            }
        };
        Runnable transactRead = () -> dynamo.transactGetItems(TransactGetItemsRequest.builder().transactItems(
                TransactGetItem.builder().get(Get.builder().tableName(table).key(tokenKey).build()).build(),
                TransactGetItem.builder().get(Get.builder().tableName(table).key(headKey).build()).build()).build());
        // The execute limit's counter write, as DynamoRateLimitStore makes it (conditional ADD on one item).
        Map<String, AttributeValue> counterKey = Map.of("pk", AttributeValue.fromS("BENCH#counter"),
                "sk", AttributeValue.fromS("COUNT"));
        Runnable count = () -> dynamo.updateItem(UpdateItemRequest.builder().tableName(table).key(counterKey)
                .updateExpression("ADD #c :one").conditionExpression("attribute_not_exists(#c) OR #c < :limit")
                .expressionAttributeNames(Map.of("#c", "count"))
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"),
                        ":limit", AttributeValue.fromN(Long.toString(Long.MAX_VALUE / 2)))).build());
        ExecutorService beside = Executors.newVirtualThreadPerTaskExecutor();
        Map<String, Runnable> modes = new LinkedHashMap<>();
        modes.put("api", subject);
        modes.put("floor", floor);
        modes.put("path-io", pathIo);
        modes.put("path-io-batch", () -> {
            batchRead.run();
            putAndSend(dynamo, sqs, table, queue, stack.orgId, workflow);
        });
        modes.put("path-io-transact", () -> {
            transactRead.run();
            putAndSend(dynamo, sqs, table, queue, stack.orgId, workflow);
        });
        // What the warm trigger now waits for: the batched read with the counter written beside it, then the floor.
        modes.put("path-io-now", () -> {
            Future<?> counted = beside.submit(count);
            batchRead.run();
            try {
                counted.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            putAndSend(dynamo, sqs, table, queue, stack.orgId, workflow);
        });
        // What it waited for before: both reads and the counter one after another, then the floor.
        modes.put("path-io-before", () -> {
            pathIo.run();
            count.run();
        });

        if (args.length > 4) {  // only some modes (the memory phase measures "api" and "floor" per size)
            modes.keySet().retainAll(List.of(args[4].split(",")));
        }
        Map<String, List<Double>> samples = new LinkedHashMap<>();
        Map<String, Double> busySeconds = new HashMap<>();
        modes.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
        int warmBlocks = Math.max(2, calls / BLOCK);
        for (int pass = 0; pass < 2; pass++) {
            boolean measure = pass == 1;
            for (int block = 0; block < warmBlocks; block++) {
                for (var mode : modes.entrySet()) {
                    long blockStart = System.nanoTime();
                    for (int i = 0; i < BLOCK; i++) {
                        long start = System.nanoTime();
                        mode.getValue().run();
                        if (measure) {
                            samples.get(mode.getKey()).add((System.nanoTime() - start) / 1e6);
                        }
                    }
                    if (measure) {
                        busySeconds.merge(mode.getKey(), (System.nanoTime() - blockStart) / 1e9, Double::sum);
                    }
                }
                sqs.purgeQueue(PurgeQueueRequest.builder().queueUrl(queue).build());
            }
        }
        List<ModeResult> results = new ArrayList<>();
        samples.forEach((mode, values) -> results.add(new ModeResult(mode, values.size(), Stats.of(values),
                values.size() / busySeconds.get(mode))));
        String flags = String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        new ObjectMapper().writeValue(out.toFile(), new Result(results, flags));
        System.exit(0);
    }

    /** What the trigger's own PutItem and SendMessage amount to: a run-sized item, a run-sized message. */
    static void putAndSend(DynamoDbClient dynamo, SqsClient sqs, String table, String queue, long orgId, long workflow) {
        long id = ThreadLocalRandom.current().nextLong(1L << 52);
        String now = Instant.now().toString();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", AttributeValue.fromS("FLOOR#" + id));
        item.put("sk", AttributeValue.fromS("RUN"));
        item.put("type", AttributeValue.fromS("floor"));
        item.put("run_id", AttributeValue.fromN(Long.toString(id)));
        item.put("org_id", AttributeValue.fromN(Long.toString(orgId)));
        item.put("workflow_id", AttributeValue.fromN(Long.toString(workflow)));
        item.put("input", AttributeValue.fromS(BenchStack.RUN_BODY));
        item.put("status", AttributeValue.fromS("pending"));
        item.put("steps", AttributeValue.fromS("[]"));
        item.put("created_at", AttributeValue.fromS(now));
        item.put("updated_at", AttributeValue.fromS(now));
        dynamo.putItem(PutItemRequest.builder().tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk)").build());
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queue)
                .messageBody("{\"run_id\":" + id + ",\"org_id\":" + orgId + "}").build());
    }
}
