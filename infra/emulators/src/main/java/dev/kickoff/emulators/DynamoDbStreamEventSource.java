package dev.kickoff.emulators;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamViewType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamRequest;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What Lambda's DynamoDB stream event source mapping does, on DynamoDB Local's stream: reads every shard in
 * order (a child shard after its parent), from {@code StartingPosition}; applies the template's
 * {@code FilterCriteria} with Lambda's semantics ({@link EventFilter}; records that match no pattern are
 * skipped and checkpointed, never delivered); invokes the handler with {@link DynamodbEvent}s of up to
 * {@code BatchSize} records shaped like Lambda's; and on failure:
 * <ul>
 *   <li>with {@code ReportBatchItemFailures}, records before the first reported sequence number are
 *       checkpointed and the batch is retried from it (a malformed report fails the whole batch);</li>
 *   <li>a handler that throws fails the whole batch; with {@code BisectBatchOnFunctionError} the batch is
 *       split in two and each half retried on its own;</li>
 *   <li>after {@code MaximumRetryAttempts} retries (-1: forever) the failing records are skipped and logged
 *       (Lambda would send their metadata to the on-failure destination).</li>
 * </ul>
 * One shard is processed by one thread, in order, one batch at a time, as Lambda does with a parallelization
 * factor of 1.
 */
public final class DynamoDbStreamEventSource implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DynamoDbStreamEventSource.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final DynamoDbStreamsClient streams;
    private final String streamArn;
    private final FunctionSpec function;
    private final EventSource.DynamoDbStream source;
    private final EventFilter filter;
    private final RequestHandler<DynamodbEvent, ?> handler;
    private final String region;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Map<String, String> iterators = new HashMap<>();
    private final Map<String, String> checkpoints = new HashMap<>();
    private final Set<String> finished = new HashSet<>();
    private final List<String> discarded = new ArrayList<>();
    private int invocations;
    private ExecutorService poller;

    public DynamoDbStreamEventSource(DynamoDbStreamsClient streams, StackResources resources, FunctionSpec function,
                                     EventSource.DynamoDbStream source, RequestHandler<DynamodbEvent, ?> handler) {
        this.streams = streams;
        this.streamArn = resources.table(source.table()).streamArn();
        if (streamArn == null) {
            throw new IllegalStateException("table " + source.table() + " has no stream");
        }
        this.function = function;
        this.source = source;
        this.filter = EventFilter.of(source.filterPatterns());
        this.handler = handler;
        this.region = LocalSqs.REGION;
    }

    /** Polls the stream in the background, about five times a second when it is idle. */
    public DynamoDbStreamEventSource start() {
        running.set(true);
        poller = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon()
                .name(function.logicalId() + "-" + source.name()).factory());
        poller.submit(() -> {
            while (running.get()) {
                try {
                    if (pollOnce() == 0) {
                        Thread.sleep(200);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    if (running.get()) {
                        LOG.warn("stream poll of {} failed: {}", source.table(), e.toString());
                        sleep(1000);
                    }
                }
            }
        });
        return this;
    }

    /** Reads every shard once (up to 1,000 records each) and delivers what matches; returns records read. */
    public synchronized int pollOnce() {
        int read = 0;
        for (Shard shard : shards()) {
            String id = shard.shardId();
            if (finished.contains(id)) {
                continue;
            }
            String parent = shard.parentShardId();
            if (parent != null && !finished.contains(parent) && knownShard(parent)) {
                continue;  // children after their parent, as Lambda does
            }
            read += pollShard(id);
        }
        return read;
    }

    /** Polls until a full pass reads nothing: everything written so far has been delivered (tests). */
    public synchronized int drain() {
        int total = 0;
        int n;
        while ((n = pollOnce()) > 0) {
            total += n;
        }
        return total;
    }

    /** How many times the handler has been invoked. */
    public synchronized int invocations() {
        return invocations;
    }

    /** Sequence numbers of records skipped after their retries ran out. */
    public synchronized List<String> discarded() {
        return List.copyOf(discarded);
    }

    private final Set<String> known = new HashSet<>();

    private boolean knownShard(String shardId) {
        return known.contains(shardId);
    }

    private List<Shard> shards() {
        List<Shard> out = new ArrayList<>();
        String start = null;
        do {
            StreamDescription description = streams.describeStream(DescribeStreamRequest.builder().streamArn(streamArn)
                    .exclusiveStartShardId(start).build()).streamDescription();
            out.addAll(description.shards());
            start = description.lastEvaluatedShardId();
        } while (start != null);
        out.forEach(s -> known.add(s.shardId()));
        return out;
    }

    private int pollShard(String shardId) {
        String iterator = iterators.containsKey(shardId) ? iterators.get(shardId) : iterator(shardId);
        GetRecordsResponse response;
        try {
            response = streams.getRecords(b -> b.shardIterator(iterator).limit(1000));
        } catch (ExpiredIteratorException e) {
            iterators.remove(shardId);  // a fresh one, after the checkpoint, next time
            return 0;
        }
        List<Record> records = response.records();
        List<Record> matching = new ArrayList<>();
        for (Record r : records) {
            if (filter.matches(json(r))) {
                matching.add(r);
            }
        }
        for (int i = 0; i < matching.size(); i += Math.max(1, source.batchSize())) {
            deliver(matching.subList(i, Math.min(matching.size(), i + Math.max(1, source.batchSize()))));
        }
        if (!records.isEmpty()) {
            checkpoints.put(shardId, records.getLast().dynamodb().sequenceNumber());
        }
        if (response.nextShardIterator() == null) {
            finished.add(shardId);
            iterators.remove(shardId);
        } else {
            iterators.put(shardId, response.nextShardIterator());
        }
        return records.size();
    }

    private String iterator(String shardId) {
        GetShardIteratorRequest.Builder request = GetShardIteratorRequest.builder().streamArn(streamArn).shardId(shardId);
        String checkpoint = checkpoints.get(shardId);
        if (checkpoint != null) {
            request.shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).sequenceNumber(checkpoint);
        } else {
            request.shardIteratorType("LATEST".equals(source.startingPosition())
                    ? ShardIteratorType.LATEST : ShardIteratorType.TRIM_HORIZON);
        }
        String iterator = streams.getShardIterator(request.build()).shardIterator();
        iterators.put(shardId, iterator);
        return iterator;
    }

    /** Invokes the handler with one batch, retrying (and bisecting) as the mapping is configured to. */
    private void deliver(List<Record> batch) {
        Deque<List<Record>> pending = new ArrayDeque<>();
        pending.push(batch);
        int retries = 0;
        while (!pending.isEmpty()) {
            if (poller != null && !running.get()) {
                return;  // stopping: leave the rest unprocessed (as a Lambda shutdown would), not discarded
            }
            List<Record> current = pending.pop();
            Failure failure = invoke(current);
            if (failure == null) {
                continue;
            }
            List<Record> remaining = current.subList(failure.from(), current.size());
            if (source.maximumRetryAttempts() >= 0 && retries >= source.maximumRetryAttempts()) {
                remaining.forEach(r -> discarded.add(r.dynamodb().sequenceNumber()));
                LOG.error("{}: giving up on {} stream record(s) after {} retries (on AWS they would go to the "
                        + "on-failure destination)", function.logicalId(), remaining.size(), retries);
                continue;
            }
            retries++;
            if (failure.threw() && source.bisectBatchOnFunctionError() && remaining.size() > 1) {
                int half = remaining.size() / 2;
                pending.push(List.copyOf(remaining.subList(half, remaining.size())));
                pending.push(List.copyOf(remaining.subList(0, half)));
            } else {
                pending.push(List.copyOf(remaining));
            }
            sleep(Math.min(1000, 50L * retries));
        }
    }

    private record Failure(int from, boolean threw) {
    }

    private Failure invoke(List<Record> batch) {
        DynamodbEvent event = new DynamodbEvent();
        event.setRecords(batch.stream().map(this::lambdaRecord).toList());
        invocations++;
        Object response;
        try {
            response = handler.handleRequest(event, new LocalLambdaContext(function));
        } catch (RuntimeException | Error e) {
            LOG.warn("{} failed a stream batch of {}: {}", function.logicalId(), batch.size(), e.toString());
            return new Failure(0, true);
        }
        if (!source.reportBatchItemFailures() || !(response instanceof StreamsEventResponse r)
                || r.getBatchItemFailures() == null || r.getBatchItemFailures().isEmpty()) {
            return null;
        }
        int first = Integer.MAX_VALUE;
        for (StreamsEventResponse.BatchItemFailure f : r.getBatchItemFailures()) {
            int index = -1;
            for (int i = 0; i < batch.size(); i++) {
                if (batch.get(i).dynamodb().sequenceNumber().equals(f.getItemIdentifier())) {
                    index = i;
                    break;
                }
            }
            if (index < 0) {
                return new Failure(0, false);  // Lambda treats an unknown identifier as a failed batch
            }
            first = Math.min(first, index);
        }
        return new Failure(first, false);
    }

    private DynamodbEvent.DynamodbStreamRecord lambdaRecord(Record r) {
        var stream = new com.amazonaws.services.lambda.runtime.events.models.dynamodb.StreamRecord()
                .withApproximateCreationDateTime(r.dynamodb().approximateCreationDateTime() == null ? new Date()
                        : Date.from(r.dynamodb().approximateCreationDateTime()))
                .withKeys(images(r.dynamodb().keys()))
                .withSequenceNumber(r.dynamodb().sequenceNumber())
                .withSizeBytes(r.dynamodb().sizeBytes())
                .withStreamViewType(StreamViewType.fromValue(r.dynamodb().streamViewTypeAsString()));
        if (r.dynamodb().hasNewImage()) {
            stream.setNewImage(images(r.dynamodb().newImage()));
        }
        if (r.dynamodb().hasOldImage()) {
            stream.setOldImage(images(r.dynamodb().oldImage()));
        }
        DynamodbEvent.DynamodbStreamRecord record = new DynamodbEvent.DynamodbStreamRecord();
        record.setEventID(r.eventID());
        record.setEventName(r.eventNameAsString());
        record.setEventVersion(r.eventVersion());
        record.setEventSource("aws:dynamodb");
        record.setAwsRegion(region);
        record.setDynamodb(stream);
        record.setEventSourceARN(streamArn);
        return record;
    }

    private static Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> images(
            Map<String, AttributeValue> image) {
        Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> out = new LinkedHashMap<>();
        image.forEach((k, v) -> out.put(k, lambdaValue(v)));
        return out;
    }

    private static com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue lambdaValue(AttributeValue v) {
        var out = new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue();
        switch (v.type()) {
            case S -> out.setS(v.s());
            case N -> out.setN(v.n());
            case BOOL -> out.setBOOL(v.bool());
            case NUL -> out.setNULL(true);
            case B -> out.setB(ByteBuffer.wrap(v.b().asByteArray()));
            case SS -> out.setSS(v.ss());
            case NS -> out.setNS(v.ns());
            case BS -> out.setBS(v.bs().stream().map(b -> ByteBuffer.wrap(b.asByteArray())).toList());
            case L -> out.setL(v.l().stream().map(DynamoDbStreamEventSource::lambdaValue).toList());
            case M -> out.setM(images(v.m()));
            default -> out.setNULL(true);
        }
        return out;
    }

    /** The record as Lambda's filter sees it: the event's JSON, with DynamoDB-JSON images. */
    private JsonNode json(Record r) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("eventID", r.eventID());
        root.put("eventName", r.eventNameAsString());
        root.put("eventVersion", r.eventVersion());
        root.put("eventSource", "aws:dynamodb");
        root.put("awsRegion", region);
        ObjectNode dynamodb = root.putObject("dynamodb");
        if (r.dynamodb().approximateCreationDateTime() != null) {
            dynamodb.put("ApproximateCreationDateTime", r.dynamodb().approximateCreationDateTime().getEpochSecond());
        }
        dynamodb.set("Keys", jsonImage(r.dynamodb().keys()));
        if (r.dynamodb().hasNewImage()) {
            dynamodb.set("NewImage", jsonImage(r.dynamodb().newImage()));
        }
        if (r.dynamodb().hasOldImage()) {
            dynamodb.set("OldImage", jsonImage(r.dynamodb().oldImage()));
        }
        dynamodb.put("SequenceNumber", r.dynamodb().sequenceNumber());
        dynamodb.put("SizeBytes", r.dynamodb().sizeBytes());
        dynamodb.put("StreamViewType", r.dynamodb().streamViewTypeAsString());
        root.put("eventSourceARN", streamArn);
        return root;
    }

    private static ObjectNode jsonImage(Map<String, AttributeValue> image) {
        ObjectNode out = MAPPER.createObjectNode();
        image.forEach((k, v) -> out.set(k, jsonValue(v)));
        return out;
    }

    private static JsonNode jsonValue(AttributeValue v) {
        ObjectNode out = MAPPER.createObjectNode();
        switch (v.type()) {
            case S -> out.put("S", v.s());
            case N -> out.put("N", v.n());
            case BOOL -> out.put("BOOL", v.bool());
            case NUL -> out.put("NULL", true);
            case B -> out.put("B", Base64.getEncoder().encodeToString(v.b().asByteArray()));
            case SS -> strings(out.putArray("SS"), v.ss());
            case NS -> strings(out.putArray("NS"), v.ns());
            case BS -> v.bs().forEach(b -> out.withArray("BS").add(Base64.getEncoder().encodeToString(b.asByteArray())));
            case L -> v.l().forEach(e -> out.withArray("L").add(jsonValue(e)));
            case M -> out.set("M", jsonImage(v.m()));
            default -> out.put("NULL", true);
        }
        return out;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running.set(false);
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
