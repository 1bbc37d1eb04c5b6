package dev.kickoff.bootstrap;

import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.StepRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsFactory;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

import software.amazon.cloudwatchlogs.emf.config.EnvironmentConfigurationProvider;
import software.amazon.cloudwatchlogs.emf.environment.Environments;

import java.time.Duration;

/**
 * Run lifecycle as CloudWatch metrics (embedded metric format, written with the function's logs: no API calls)
 * and as structured log lines. Metrics are flushed by the handler at the end of each invocation.
 */
public final class PowertoolsRunObserver implements RunObserver {
    private static final Logger LOG = LoggerFactory.getLogger(PowertoolsRunObserver.class);

    /** The metrics logger is shared by the worker's concurrent runs; its calls are serialized here. */
    private static final Object LOCK = new Object();
    /** Whether anything was added since the last flush (guarded by {@link #LOCK}). */
    private static boolean added;

    private static void add(String name, double value, MetricUnit unit) {
        synchronized (LOCK) {
            MetricsFactory.getMetricsInstance().addMetric(name, value, unit);
            added = true;
        }
    }

    /** A count metric outside the run lifecycle (e.g. the sweeper's recoveries), flushed with the others. */
    public static void count(String name, int value) {
        if (value > 0) {
            add(name, value, MetricUnit.COUNT);
        }
    }

    /** The port's counter: the API's trigger edge counts its 429s and replays through it. */
    @Override
    public void count(String metric, long n) {
        if (n > 0) {
            add(metric, n, MetricUnit.COUNT);
        }
    }

    @Override
    public void runCreated(Run run) {
        add("RunsCreated", 1, MetricUnit.COUNT);
        // Routine lifecycle lines are DEBUG (LogLevel=DEBUG brings them back): at INFO they were the largest line
        // item of a run's bill after API Gateway. The run itself, its webhooks and the metrics carry the same facts.
        LOG.debug("run created: workflow {} version {}", run.workflowId(), run.workflowVersion());
    }

    @Override
    public void stepFinished(Run run, StepRecord step, Duration took) {
        add("StepDuration", took.toNanos() / 1_000_000.0, MetricUnit.MILLISECONDS);
        if (StepRecord.FAILED.equals(step.status())) {
            LOG.info("step {} ({}) failed in {} ms: {}", step.id(), step.type(), took.toMillis(), step.error());
        } else {
            LOG.debug("step {} ({}) completed in {} ms", step.id(), step.type(), took.toMillis());
        }
    }

    @Override
    public void runFinished(Run run) {
        add(run.status() == RunStatus.COMPLETED ? "RunsCompleted" : "RunsFailed", 1, MetricUnit.COUNT);
        if (run.startedAt() != null && run.completedAt() != null) {
            add("RunDuration", Duration.between(run.createdAt(), run.completedAt()).toMillis(), MetricUnit.MILLISECONDS);
        }
        if (run.status() == RunStatus.COMPLETED) {
            LOG.debug("run completed after {} attempt(s)", run.attempts());
        } else {
            LOG.info("run {} after {} attempt(s){}", run.status().wireName(), run.attempts(),
                    run.error() == null ? "" : ": " + run.error());
        }
    }

    /**
     * Sets the namespace metrics are written under, and where they go: on Lambda, EMF documents in the function's
     * log; elsewhere the same documents on stdout (never the CloudWatch agent's TCP port, which the EMF library
     * would otherwise try), or nowhere when {@code enabled} is false (the local stack's console stays readable).
     */
    public static synchronized void configure(String namespace, boolean enabled) {
        if (!enabled) {
            MetricsFactory.setMetricsProvider(NoMetrics::new);
        } else if (System.getenv("AWS_LAMBDA_FUNCTION_NAME") == null) {
            EnvironmentConfigurationProvider.getConfig().setEnvironmentOverride(Environments.Local);
        }
        Metrics metrics = MetricsFactory.getMetricsInstance();
        metrics.setNamespace(namespace);
        metrics.setRaiseOnEmptyMetrics(false);
    }

    /** Writes the invocation's metrics (one EMF document); never fails the invocation it ends. */
    public static void flush() {
        try {
            synchronized (LOCK) {
                // An invocation that added nothing (most streams batches) writes nothing: flushing would log a
                // "No metrics were emitted" warning, ~170 bytes of paid log ingestion per invocation.
                if (!added) {
                    return;
                }
                added = false;
                MetricsFactory.getMetricsInstance().flush();
            }
        } catch (RuntimeException e) {
            LOG.warn("metrics were not flushed: {}", e.toString());
        }
    }
}
