package dev.kickoff.bench.cost;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Prices a {@link RunCost.Sample}: what one million such runs cost on AWS, line by line. */
public final class CostModel {
    /** Bytes Lambda itself logs per invocation with LogFormat JSON (platform.start and platform.report). */
    public static final int PLATFORM_LOG_BYTES_PER_INVOCATION = 600;

    /**
     * Lambda's own log bytes per invocation at template.yaml's {@code SystemLogLevel} default: WARN drops the
     * START and REPORT lines of a successful invocation.
     */
    public static int platformLogBytes() {
        String level = dev.kickoff.emulators.CloudFormationTemplate.load(
                dev.kickoff.emulators.CloudFormationTemplate.locate()).parameterDefault("SystemLogLevel");
        return "WARN".equals(level) ? 0 : PLATFORM_LOG_BYTES_PER_INVOCATION;
    }

    private static final Set<String> READS = Set.of("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems");

    /** One line of the bill: {@code perRun} units of something at {@code unitPrice} dollars each. */
    public record Line(String item, double perRun, String unit, double unitPrice) {
        public double perMillion() {
            return perRun * unitPrice * 1e6;
        }
    }

    public record Bill(List<Line> lines, double readUnits, double writeUnits, double sqsRequests,
                       double lambdaInvocations, double lambdaGbSeconds) {
        public double total() {
            return lines.stream().mapToDouble(Line::perMillion).sum();
        }

        /** The total with {@code TracingMode=PassThrough}: no X-Ray traces (an HTTP API sends no trace header). */
        public double withoutTracing() {
            return lines.stream().filter(l -> !l.item().startsWith("X-Ray")).mapToDouble(Line::perMillion).sum();
        }

        /** Everything but observability: API Gateway, Lambda (requests and duration), DynamoDB and SQS. */
        public double withoutObservability() {
            return lines.stream().filter(l -> !l.item().startsWith("CloudWatch") && !l.item().startsWith("X-Ray"))
                    .mapToDouble(Line::perMillion).sum();
        }
    }

    /** The steady rate the light scenario (every run its own batch) stands for. */
    public static final double LIGHT_RUNS_PER_SECOND = 1;
    /** The steady rate the busy scenario (full batches of 10) stands for. */
    public static final double BUSY_RUNS_PER_SECOND = 100;

    private CostModel() {
    }

    static double runsPerSecond(RunCost.Sample s) {
        return s.batchSize() <= 1 ? LIGHT_RUNS_PER_SECOND : BUSY_RUNS_PER_SECOND;
    }

    private static String fmtRate(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }

    /**
     * X-Ray traces recorded per run with {@code Tracing: Active}: Lambda samples, per function, the first request
     * each second and 5 % of the rest (not configurable for Lambda), so below one invocation a second every
     * invocation is traced and the share falls to 5 % only at high rates. The API function runs once per run;
     * the worker {@code workerInvocationsPerRun} times (SQS messages carry no trace header: our SQS client is not
     * instrumented, so the worker samples on its own).
     */
    public static double xrayTracesPerRun(double runsPerSecond, double workerInvocationsPerRun) {
        return xrayTracesPerRun(runsPerSecond, workerInvocationsPerRun, 0);
    }

    /** The same with the streams function, which the stream's poller invokes {@code streamsInvocationsPerRun} times. */
    public static double xrayTracesPerRun(double runsPerSecond, double workerInvocationsPerRun,
                                          double streamsInvocationsPerRun) {
        return traced(runsPerSecond) / runsPerSecond
                + traced(runsPerSecond * workerInvocationsPerRun) / runsPerSecond
                + traced(runsPerSecond * streamsInvocationsPerRun) / runsPerSecond;
    }

    /** Traces a second for one function invoked {@code perSecond} times a second. */
    private static double traced(double perSecond) {
        return Math.min(perSecond, 1) + Prices.XRAY_SAMPLED * Math.max(0, perSecond - 1);
    }

    /**
     * @param memoryGb    the functions' memory (template.yaml's MemorySize / 1024)
     * @param durationScale multiplies the measured invocation durations (1 = as measured here)
     */
    public static Bill price(RunCost.Sample s, double memoryGb, double durationScale) {
        return price(s, memoryGb, durationScale, platformLogBytes());
    }

    /** @param platformLogBytes what Lambda itself logs per invocation (see {@link #platformLogBytes()}) */
    public static Bill price(RunCost.Sample s, double memoryGb, double durationScale, int platformLogBytes) {
        double runs = s.runs();
        double rru = 0;
        double wru = 0;
        double sqs = 0;
        for (Ledger ledger : List.of(s.api(), s.worker(), s.streams())) {
            for (Map.Entry<String, Ledger.Line> e : ledger.lines().entrySet()) {
                String[] key = e.getKey().split(":", 2);
                Ledger.Line line = e.getValue();
                if (key[0].equals("DynamoDb")) {
                    if (READS.contains(key[1])) {
                        rru += line.capacityUnits();
                    } else {
                        // A failed conditional write is charged too; it reports no capacity, so count one unit.
                        wru += line.capacityUnits() + line.failures();
                    }
                } else if (key[0].equals("Sqs")) {
                    sqs += line.billableRequests();
                }
            }
        }
        double invocations = runs + s.workerInvocations() + s.streamsInvocations();
        double billedMs = s.apiMillis().stream().mapToDouble(ms -> Math.ceil(ms * durationScale)).sum()
                + s.workerMillis().stream().mapToDouble(ms -> Math.ceil(ms * durationScale)).sum()
                + s.streamsMillis().stream().mapToDouble(ms -> Math.ceil(ms * durationScale)).sum();
        double gbSeconds = billedMs / 1000 * memoryGb;
        double logBytes = s.logBytes() + invocations * platformLogBytes;

        List<Line> lines = new ArrayList<>();
        lines.add(new Line("API Gateway HTTP API requests", 1, "request", Prices.HTTP_API_REQUEST));
        lines.add(new Line("Lambda invocations (API + worker + streams)", invocations / runs, "invocation", Prices.LAMBDA_REQUEST));
        lines.add(new Line("Lambda duration, arm64 " + Math.round(memoryGb * 1024) + " MB", gbSeconds / runs, "GB-s",
                Prices.LAMBDA_ARM_GB_SECOND));
        lines.add(new Line("DynamoDB write request units", wru / runs, "WRU", Prices.DYNAMODB_WRU));
        lines.add(new Line("DynamoDB read request units", rru / runs, "RRU", Prices.DYNAMODB_RRU));
        lines.add(new Line("SQS requests (send, receive, delete)", sqs / runs, "request", Prices.SQS_REQUEST));
        lines.add(new Line("CloudWatch Logs ingestion", logBytes / runs / 1e9, "GB", Prices.LOGS_GB));
        double rate = runsPerSecond(s);
        lines.add(new Line("X-Ray traces (Tracing: Active, at " + fmtRate(rate) + (rate == 1 ? " run/s)" : " runs/s)"),
                xrayTracesPerRun(rate, s.workerInvocations() / runs, s.streamsInvocations() / runs),
                "trace", Prices.XRAY_TRACE));
        return new Bill(lines, rru / runs, wru / runs, sqs / runs, invocations / runs, gbSeconds / runs);
    }
}
