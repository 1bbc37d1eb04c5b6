package dev.kickoff.bootstrap;

import dev.kickoff.core.engine.RunSweeper;
import dev.kickoff.core.engine.RunTimings;
import dev.kickoff.core.webhook.WebhookSettings;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Configuration every function reads, from its environment (template.yaml declares each variable once).
 *
 * @param table            DynamoDB table name ({@code KICKOFF_TABLE})
 * @param runsQueueUrl     SQS queue of runs to execute ({@code KICKOFF_RUNS_QUEUE_URL})
 * @param timings          every wait of the run lifecycle ({@link RunTimings}, documented there): the lease
 *                         ({@code KICKOFF_RUN_LEASE_SECONDS}), the runs queue's redrive threshold
 *                         ({@code KICKOFF_RUN_MAX_RECEIVE_COUNT}) and the sweeper's policy
 *                         ({@code KICKOFF_SWEEP_GRACE_SECONDS}, {@code KICKOFF_SWEEP_MAX_RECOVERIES},
 *                         {@code KICKOFF_SWEEP_MAX_INTERVAL_SECONDS}, {@code KICKOFF_SWEEP_MAX_RUNS})
 * @param runsDeadLetterUrl the runs' dead-letter queue, drained by each sweep ({@code KICKOFF_RUNS_DLQ_URL}; only the
 *                         sweeper has it)
 * @param publicUrl        base URL clients reach the API at, when not derivable from the request
 *                         ({@code KICKOFF_PUBLIC_URL}, optional)
 * @param local            true when running on one machine ({@code KICKOFF_LOCAL}); relaxes nothing but what
 *                         local development needs (e.g. webhook delivery to loopback)
 * @param metricsNamespace CloudWatch namespace of the EMF metrics ({@code POWERTOOLS_METRICS_NAMESPACE})
 * @param metricsEnabled   false to drop metrics ({@code KICKOFF_METRICS=off}; the local stack's console)
 * @param webhookQueueUrl  SQS queue of webhook deliveries ({@code KICKOFF_WEBHOOK_QUEUE_URL})
 * @param webhooks         webhook retries and retention ({@code KICKOFF_WEBHOOK_RETRY_SCHEDULE},
 *                         {@code KICKOFF_WEBHOOK_DISABLE_AFTER}; Standard Webhooks' schedule and 5 days by default)
 * @param secrets          where connection secrets' master key is: KMS ({@code KICKOFF_SECRETS_KMS_KEY_ID}, on AWS)
 *                         or a key file ({@code KICKOFF_SECRETS_KEY_FILE}, the local stack); at most one
 * @param schedules        managed schedules' fires queue and sweep bound (see {@link Schedules})
 */
public record Settings(
        String table,
        String runsQueueUrl,
        RunTimings timings,
        String runsDeadLetterUrl,
        String publicUrl,
        boolean local,
        String metricsNamespace,
        boolean metricsEnabled,
        String webhookQueueUrl,
        WebhookSettings webhooks,
        Secrets secrets,
        Schedules schedules) {

    /**
     * Managed schedules: the queue their fires go through ({@code KICKOFF_SCHEDULE_FIRES_QUEUE_URL}; the API, the
     * sweeper and the scheduler function have it) and the most fires one sweep sends ({@code KICKOFF_SWEEP_MAX_FIRES},
     * 10,000).
     */
    public record Schedules(String firesQueueUrl, int maxFiresPerSweep) {
    }

    /** The master key of connection secrets: a KMS key ID/ARN, or a key file's path; either may be null. */
    public record Secrets(String kmsKeyId, String keyFile) {
        public Secrets {
            if (kmsKeyId != null && keyFile != null) {
                throw new IllegalStateException("set KICKOFF_SECRETS_KMS_KEY_ID (AWS) or KICKOFF_SECRETS_KEY_FILE"
                        + " (the local stack), not both");
            }
        }
    }

    public static Settings fromEnvironment(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(overrides);
        return new Settings(
                required(env, "KICKOFF_TABLE"),
                env.getOrDefault("KICKOFF_RUNS_QUEUE_URL", ""),
                timings(env),
                blankToNull(env.get("KICKOFF_RUNS_DLQ_URL")),
                blankToNull(env.get("KICKOFF_PUBLIC_URL")),
                Boolean.parseBoolean(env.getOrDefault("KICKOFF_LOCAL", "false")),
                env.getOrDefault("POWERTOOLS_METRICS_NAMESPACE", "Kickoff"),
                !"off".equalsIgnoreCase(env.getOrDefault("KICKOFF_METRICS", "on")),
                env.getOrDefault("KICKOFF_WEBHOOK_QUEUE_URL", ""),
                webhookSettings(env),
                new Secrets(blankToNull(env.get("KICKOFF_SECRETS_KMS_KEY_ID")), blankToNull(env.get("KICKOFF_SECRETS_KEY_FILE"))),
                new Schedules(blankToNull(env.get("KICKOFF_SCHEDULE_FIRES_QUEUE_URL")),
                        integer(env, "KICKOFF_SWEEP_MAX_FIRES", dev.kickoff.core.schedule.ScheduleSweep.DEFAULT_MAX_FIRES)));
    }

    /** How long a worker holds a claimed run. */
    public Duration runLease() {
        return timings.lease();
    }

    /** The runs queue's redrive threshold: on that delivery a run that still cannot be executed is ended failed. */
    public int maxReceiveCount() {
        return timings.maxReceiveCount();
    }

    static RunTimings timings(Map<String, String> env) {
        RunTimings d = RunTimings.defaults();
        RunSweeper.Settings sweep = d.sweep();
        return d.withLease(seconds(env, "KICKOFF_RUN_LEASE_SECONDS", d.lease()))
                .withMaxReceiveCount(integer(env, "KICKOFF_RUN_MAX_RECEIVE_COUNT", d.maxReceiveCount()))
                .withSweep(new RunSweeper.Settings(
                        seconds(env, "KICKOFF_SWEEP_GRACE_SECONDS", sweep.grace()),
                        integer(env, "KICKOFF_SWEEP_MAX_RECOVERIES", sweep.maxRecoveries()),
                        seconds(env, "KICKOFF_SWEEP_MAX_INTERVAL_SECONDS", sweep.maxInterval()),
                        integer(env, "KICKOFF_SWEEP_MAX_RUNS", sweep.maxRuns()),
                        sweep.pageSize()));
    }

    /**
     * Whole seconds as the template gives them, or a decimal ("0.3") down to the millisecond: the tests wait out
     * the sweep's grace and interval, and a fraction of a second keeps that wait short (run times are kept in
     * milliseconds, so nothing rounds them).
     */
    private static Duration seconds(Map<String, String> env, String name, Duration fallback) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Duration.ofMillis(new java.math.BigDecimal(v.trim()).movePointRight(3).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + " is in seconds, to the millisecond at most: " + v, e);
        }
    }

    private static int integer(Map<String, String> env, String name, int fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : Integer.parseInt(v.trim());
    }

    private static WebhookSettings webhookSettings(Map<String, String> env) {
        WebhookSettings d = WebhookSettings.defaults();
        String schedule = env.get("KICKOFF_WEBHOOK_RETRY_SCHEDULE");
        String disableAfter = env.get("KICKOFF_WEBHOOK_DISABLE_AFTER");
        return new WebhookSettings(
                schedule == null || schedule.isBlank() ? d.schedule() : WebhookSettings.parseSchedule(schedule),
                disableAfter == null || disableAfter.isBlank() ? d.disableAfter()
                        : WebhookSettings.parseDuration(disableAfter),
                d.retention(), d.rotationOverlap(), d.attemptLease(), d.maxPerOrg());
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(name + " is not set; template.yaml sets it for every function");
        }
        return value;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
