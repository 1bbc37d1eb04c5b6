package dev.kickoff.bench.cost;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.kickoff.bench.BenchStack;
import dev.kickoff.emulators.DynamoDbStreamEventSource;
import dev.kickoff.emulators.EventSource;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.LambdaHandlers;
import dev.kickoff.emulators.SqsEventSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Drives runs through the deployed handler classes exactly as AWS would (API Gateway event → API function;
 * the SQS event source → worker function; the table's stream, behind the template's {@code FilterCriteria} and
 * with its batch size → streams function, which meters each finish) while {@link CostMeter} books every AWS
 * request, and times each function invocation for Lambda's duration charge. The stream's own reads
 * ({@code GetRecords} by the event source mapping) are free on AWS and are not booked.
 */
public final class RunCost {
    /**
     * What {@code runs} runs cost, split by function.
     *
     * @param api           the API function's requests (token and workflow reads, run write, queue send)
     * @param worker        the worker's requests plus the SQS event source's receives and deletes
     * @param apiMillis     duration of each API invocation
     * @param workerMillis  duration of each worker invocation (one per batch)
     * @param streams       the streams function's requests (metering each finish, the webhook fan-out)
     * @param streamsMillis duration of each streams invocation (one per stream batch)
     * @param logBytes      bytes the functions wrote to stdout (their CloudWatch log) over the measured runs
     */
    public record Sample(int runs, int batchSize, Ledger api, Ledger worker, List<Double> apiMillis,
                         List<Double> workerMillis, Ledger streams, List<Double> streamsMillis, long logBytes) {
        public int workerInvocations() {
            return workerMillis.size();
        }

        public int streamsInvocations() {
            return streamsMillis.size();
        }
    }

    private final BenchStack stack;
    private final SqsEventSource events;
    private final List<Double> workerMillis = new ArrayList<>();
    private final DynamoDbStreamEventSource stream;
    private final List<Double> streamsMillis = new ArrayList<>();
    /** What the streams function's invocations booked since the last {@link #drainStream}. */
    private Ledger streamsBooked = new Ledger();

    public RunCost(BenchStack stack) {
        this.stack = stack;
        FunctionSpec spec = FunctionSpec.of("WorkerFunction", stack.resources);
        RequestHandler<SQSEvent, Object> worker = LambdaHandlers.instantiate(spec, Map.of());
        RequestHandler<SQSEvent, Object> timed = (SQSEvent event, Context context) -> {
            long start = System.nanoTime();
            try {
                return worker.handleRequest(event, context);
            } finally {
                synchronized (workerMillis) {
                    workerMillis.add((System.nanoTime() - start) / 1e6);
                }
            }
        };
        this.events = new SqsEventSource(stack.endpoints.sqsClient(), stack.resources, spec,
                spec.events(EventSource.Sqs.class).getFirst(), timed);

        FunctionSpec streamsSpec = FunctionSpec.of("StreamsFunction", stack.resources);
        RequestHandler<DynamodbEvent, Object> streams = LambdaHandlers.instantiate(streamsSpec,
                Map.of("KICKOFF_PUBLIC_URL", "https://api.kickoff.bench"));
        // Each invocation is booked on its own ledger: the event source's stream reads around it are not billed.
        RequestHandler<DynamodbEvent, Object> meteredStreams = (DynamodbEvent event, Context context) -> {
            long start = System.nanoTime();
            CostMeter.open();
            try {
                return streams.handleRequest(event, context);
            } finally {
                merge(streamsBooked, CostMeter.close());
                streamsMillis.add((System.nanoTime() - start) / 1e6);
            }
        };
        this.stream = new DynamoDbStreamEventSource(stack.endpoints.streamsClient(), stack.resources, streamsSpec,
                streamsSpec.events(EventSource.DynamoDbStream.class).getFirst(), meteredStreams);
    }

    /** Delivers what the stream holds to the streams function; returns what it booked meanwhile. */
    private Ledger drainStream() {
        stream.drain();
        Ledger booked = streamsBooked;
        streamsBooked = new Ledger();
        return booked;
    }

    /** Runs {@code runs} runs of {@code workflowId} and discards the measurements (JIT, caches, connections). */
    public void warmUp(long workflowId, int runs) {
        for (int i = 0; i < runs; i++) {
            stack.trigger(workflowId);
        }
        events.drain();
        drainStream();
        synchronized (workerMillis) {
            workerMillis.clear();
        }
        streamsMillis.clear();
    }

    /**
     * Triggers {@code runs} runs and has the worker execute them {@code batchSize} at a time (1: light traffic,
     * every run its own invocation and receive; 10: saturation, full batches).
     *
     * @param logCounter the bytes written to stdout so far (or null), to attribute log volume to these runs
     */
    public Sample measure(long workflowId, int runs, int batchSize, java.util.function.LongSupplier logCounter) {
        Ledger api = new Ledger();
        Ledger worker = new Ledger();
        Ledger streams = new Ledger();
        List<Double> apiMillis = new ArrayList<>();
        synchronized (workerMillis) {
            workerMillis.clear();
        }
        drainStream();
        streamsMillis.clear();
        long logStart = logCounter == null ? 0 : logCounter.getAsLong();
        int done = 0;
        while (done < runs) {
            int n = Math.min(batchSize, runs - done);
            CostMeter.open();
            for (int i = 0; i < n; i++) {
                long start = System.nanoTime();
                stack.trigger(workflowId);
                apiMillis.add((System.nanoTime() - start) / 1e6);
            }
            merge(api, CostMeter.close());
            CostMeter.open();
            int handled = 0;
            while (handled < n) {
                handled += events.pollOnce(1);
            }
            merge(worker, CostMeter.close());
            // The finishes of this batch reach the streams function together (light traffic: one; busy: ten, of
            // the template's BatchSize 100: a shard's records of one poll).
            merge(streams, drainStream());
            done += n;
        }
        long logBytes = logCounter == null ? 0 : logCounter.getAsLong() - logStart;
        List<Double> workers;
        synchronized (workerMillis) {
            workers = List.copyOf(workerMillis);
        }
        return new Sample(runs, batchSize, api, worker, apiMillis, workers, streams, List.copyOf(streamsMillis),
                logBytes);
    }

    private static void merge(Ledger into, Ledger from) {
        from.lines().forEach((key, line) -> {
            int colon = key.indexOf(':');
            into.add(key.substring(0, colon), key.substring(colon + 1), line);
        });
    }
}
