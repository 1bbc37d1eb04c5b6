package dev.kickoff.emulators;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * At-least-once delivery at its worst, for the reliability suite: wraps a function's SQS or stream handler so that
 * every message and every stream record reaches the handler <em>twice</em>, in shuffled batches, and half of the
 * second copies arrive later, on their own, after messages that came after them. The handler classes are the
 * deployed ones; only their delivery changes. What a function must survive on AWS anyway: SQS delivers a message more
 * than once now and then, and a stream consumer's retries replay records.
 *
 * <p>A copy delivered together with its original runs at the same moment on another thread (two workers holding the
 * same message). A message or record counts as handled when either copy of this invocation handled it (the other copy
 * typically found the work done or under way): only if both failed is it reported as a batch item failure, so the
 * event source keeps it. What a delayed copy answers is ignored: its original has been settled by then.
 *
 * <p>Off unless the local stack is started with {@code KICKOFF_LOCAL_DELIVERY_CHAOS=<seed>}; seeded, so the same
 * seed shuffles the same batches the same way (thread scheduling still varies).
 */
public final class DeliveryChaos implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryChaos.class);

    private final Random random;
    private final ExecutorService copies = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("delivery-chaos-", 0).factory());
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("delivery-chaos-later").factory());
    private final AtomicLong sqsMessages = new AtomicLong();
    private final AtomicLong streamRecords = new AtomicLong();
    private final AtomicLong delayedCopies = new AtomicLong();
    private final AtomicLong invocations = new AtomicLong();

    private final Path summaryFile;
    private volatile String written;

    public DeliveryChaos(long seed) {
        this(seed, null);
    }

    /**
     * @param summaryFile where {@link #summary()} is kept current (every second, and on close), or null. The suite
     *                    reads it: the log alone lost the summary when the stack stopped before the first 30 s line
     *                    and Log4j's own shutdown hook had stopped logging before the close line (seed 427674)
     */
    public DeliveryChaos(long seed, Path summaryFile) {
        this.random = new Random(seed);
        this.summaryFile = summaryFile;
        later.scheduleWithFixedDelay(() -> LOG.info("{}", summary()), 30, 30, TimeUnit.SECONDS);
        if (summaryFile != null) {
            writeSummary();
            later.scheduleWithFixedDelay(this::writeSummary, 1, 1, TimeUnit.SECONDS);
        }
    }

    /** Replaces the summary file whole (written aside, then moved), so a reader never sees half a line. */
    private synchronized void writeSummary() {
        String now = summary();
        if (summaryFile == null || now.equals(written)) {
            return;
        }
        try {
            Path tmp = summaryFile.resolveSibling(summaryFile.getFileName() + ".tmp");
            Files.writeString(tmp, now + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, summaryFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            written = now;
        } catch (IOException | RuntimeException e) {
            LOG.warn("the delivery chaos summary was not written to {}: {}", summaryFile, e.toString());
        }
    }

    /** {@code "delivery chaos: N SQS messages and M stream records delivered twice (K of the copies later), I invocations"}. */
    public String summary() {
        return "delivery chaos: " + sqsMessages.get() + " SQS messages and " + streamRecords.get()
                + " stream records delivered twice (" + delayedCopies.get() + " of the copies later), "
                + invocations.get() + " invocations";
    }

    public long sqsMessagesDuplicated() {
        return sqsMessages.get();
    }

    public long streamRecordsDuplicated() {
        return streamRecords.get();
    }

    /** The SQS handler, each message delivered twice. */
    public <O> RequestHandler<SQSEvent, Object> sqs(RequestHandler<SQSEvent, O> handler) {
        return (event, context) -> {
            List<SQSEvent.SQSMessage> records = event.getRecords() == null ? List.of() : event.getRecords();
            Plan<SQSEvent.SQSMessage> plan = plan(records);
            sqsMessages.addAndGet(records.size());
            Function<List<SQSEvent.SQSMessage>, Set<String>> deliver = batch -> {
                SQSEvent copy = new SQSEvent();
                copy.setRecords(batch);
                invocations.incrementAndGet();
                Set<String> failed = new HashSet<>();
                try {
                    Object response = handler.handleRequest(copy, context);
                    if (response instanceof SQSBatchResponse r && r.getBatchItemFailures() != null) {
                        r.getBatchItemFailures().forEach(f -> failed.add(f.getItemIdentifier()));
                    }
                } catch (RuntimeException | Error e) {
                    batch.forEach(m -> failed.add(m.getMessageId()));
                }
                return failed;
            };
            Set<String> failed = run(plan, deliver, SQSEvent.SQSMessage::getMessageId);
            List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
            for (SQSEvent.SQSMessage m : records) {
                if (failed.contains(m.getMessageId())) {
                    failures.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
                }
            }
            return new SQSBatchResponse(failures);
        };
    }

    /** The stream handler, each record delivered twice, out of order. */
    public <O> RequestHandler<DynamodbEvent, Object> stream(RequestHandler<DynamodbEvent, O> handler) {
        return (event, context) -> {
            List<DynamodbEvent.DynamodbStreamRecord> records = event.getRecords() == null ? List.of() : event.getRecords();
            Plan<DynamodbEvent.DynamodbStreamRecord> plan = plan(records);
            streamRecords.addAndGet(records.size());
            Function<DynamodbEvent.DynamodbStreamRecord, String> id = r -> r.getDynamodb().getSequenceNumber();
            Function<List<DynamodbEvent.DynamodbStreamRecord>, Set<String>> deliver = batch -> {
                DynamodbEvent copy = new DynamodbEvent();
                copy.setRecords(batch);
                invocations.incrementAndGet();
                Set<String> failed = new HashSet<>();
                try {
                    Object response = handler.handleRequest(copy, context);
                    if (response instanceof StreamsEventResponse r && r.getBatchItemFailures() != null) {
                        r.getBatchItemFailures().forEach(f -> failed.add(f.getItemIdentifier()));
                    }
                } catch (RuntimeException | Error e) {
                    batch.forEach(r -> failed.add(id.apply(r)));
                }
                return failed;
            };
            Set<String> failed = run(plan, deliver, id);
            List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
            for (DynamodbEvent.DynamodbStreamRecord r : records) {
                if (failed.contains(id.apply(r))) {
                    failures.add(new StreamsEventResponse.BatchItemFailure(id.apply(r)));
                }
            }
            return new StreamsEventResponse(failures);
        };
    }

    /** The first copies (shuffled), the copies delivered with them (shuffled), the copies delivered later. */
    record Plan<T>(List<T> first, List<T> together, List<T> delayed, long delayMillis) {
    }

    <T> Plan<T> plan(List<T> records) {
        synchronized (random) {
            List<T> first = new ArrayList<>(records);
            Collections.shuffle(first, random);
            List<T> together = new ArrayList<>();
            List<T> delayed = new ArrayList<>();
            for (T r : records) {
                (random.nextBoolean() ? together : delayed).add(r);
            }
            Collections.shuffle(together, random);
            Collections.shuffle(delayed, random);
            return new Plan<>(first, together, delayed, 200 + random.nextInt(1800));
        }
    }

    /** Delivers the plan; returns the IDs that failed in every copy delivered now. */
    private <T> Set<String> run(Plan<T> plan, Function<List<T>, Set<String>> deliver, Function<T, String> id) {
        CompletableFuture<Set<String>> together = plan.together().isEmpty()
                ? CompletableFuture.completedFuture(Set.of())
                : CompletableFuture.supplyAsync(() -> deliver.apply(List.copyOf(plan.together())), copies);
        Set<String> failed = new HashSet<>(plan.first().isEmpty() ? Set.of() : deliver.apply(List.copyOf(plan.first())));
        Set<String> secondFailed = together.join();
        Set<String> deliveredTwiceNow = new HashSet<>();
        plan.together().forEach(r -> deliveredTwiceNow.add(id.apply(r)));
        failed.removeIf(f -> deliveredTwiceNow.contains(f) && !secondFailed.contains(f));
        if (!plan.delayed().isEmpty()) {
            delayedCopies.addAndGet(plan.delayed().size());
            List<T> delayed = List.copyOf(plan.delayed());
            later.schedule(() -> copies.submit(() -> deliver.apply(delayed)), plan.delayMillis(), TimeUnit.MILLISECONDS);
        }
        return failed;
    }

    @Override
    public void close() {
        later.shutdownNow();
        copies.shutdownNow();
        writeSummary();
        LOG.info("{}", summary());
    }
}
