package dev.kickoff.bench.cost;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kickoff.bench.BenchStack;
import dev.kickoff.bench.Stats;
import dev.kickoff.emulators.AwsEndpoints;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cost per million runs, in a JVM of its own with the functions' production logging (Powertools JSON lines and
 * EMF metric documents on stdout, as on Lambda), so that the log volume a run writes can be counted too.
 * Arguments: DynamoDB endpoint, SQS endpoint, output JSON file, runs per scenario.
 */
public final class CostBench {
    /** One scenario: single-step runs executed {@code batchSize} to an invocation. */
    public record Scenario(String name, int batchSize, int runs, Map<String, Ledger.Line> api,
                           Map<String, Ledger.Line> worker, Map<String, Ledger.Line> streams, Stats apiMillis,
                           Stats workerMillis, Stats streamsMillis, int workerInvocations, int streamsInvocations,
                           double logBytesPerRun, List<CostModel.Line> bill, double total, double withoutObservability,
                           List<CostModel.Line> awsBill, double awsTotal) {
    }

    public record Result(List<Scenario> scenarios, double runItemBytes, double threeStepRunItemBytes) {
    }

    /** A pessimistic bound for Lambda: ~0.6 vCPU at 1024 MB and AWS service latencies (see benchmarks-method.md). */
    public static final double AWS_DURATION_SCALE = 2.0;

    public static void main(String[] args) throws Exception {
        AwsEndpoints endpoints = AwsEndpoints.local(URI.create(args[0]), URI.create(args[1]));
        Path out = Path.of(args[2]);
        // The functions' stdout is their CloudWatch log: count it, and keep a copy next to the result to read.
        AtomicLong written = new AtomicLong();
        PrintStream original = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        OutputStream copy = new java.io.BufferedOutputStream(
                new FileOutputStream(out.resolveSibling("cost-function-logs.txt").toFile()));
        System.setOut(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                written.incrementAndGet();
                copy.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                written.addAndGet(len);
                copy.write(b, off, len);
            }

            @Override
            public void flush() throws java.io.IOException {
                copy.flush();
            }
        }, true));

        int runs = Integer.parseInt(args[3]);
        BenchStack stack = BenchStack.provision(endpoints, "bench-cost");
        long workflow = stack.publish(BenchStack.ONE_STEP);
        RunCost cost = new RunCost(stack);
        cost.warmUp(workflow, 300);

        List<Scenario> scenarios = new ArrayList<>();
        for (int batch : new int[]{1, 10}) {
            RunCost.Sample s = cost.measure(workflow, runs, batch, written::get);
            CostModel.Bill bill = CostModel.price(s, 1.0, 1.0);
            CostModel.Bill aws = CostModel.price(s, 1.0, AWS_DURATION_SCALE);
            scenarios.add(new Scenario(batch == 1
                    ? "light traffic: every run its own batch (" + (int) CostModel.LIGHT_RUNS_PER_SECOND + " run/s)"
                    : "busy: full batches of 10 (" + (int) CostModel.BUSY_RUNS_PER_SECOND + " runs/s)",
                    batch, s.runs(), s.api().lines(), s.worker().lines(), s.streams().lines(), Stats.of(s.apiMillis()),
                    Stats.of(s.workerMillis()), Stats.of(s.streamsMillis()), s.workerInvocations(),
                    s.streamsInvocations(), (double) s.logBytes() / s.runs(),
                    bill.lines(), bill.total(), bill.withoutObservability(), aws.lines(), aws.total()));
        }
        long oneStep = stack.trigger(workflow);
        long threeSteps = stack.trigger(stack.publish(BenchStack.THREE_STEPS));
        cost.warmUp(workflow, 0);
        double oneStepBytes = ItemSizes.runItemBytes(stack, oneStep);
        double threeStepBytes = ItemSizes.runItemBytes(stack, threeSteps);
        new ObjectMapper().writeValue(out.toFile(), new Result(scenarios, oneStepBytes, threeStepBytes));
        original.println("cost: done");
        System.exit(0);
    }
}
