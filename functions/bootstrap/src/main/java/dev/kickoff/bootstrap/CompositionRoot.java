package dev.kickoff.bootstrap;

import dev.kickoff.core.auth.TokenService;
import dev.kickoff.core.cases.CaseService;
import dev.kickoff.core.engine.DeadLetterIntake;
import dev.kickoff.core.engine.RunExecutor;
import dev.kickoff.core.engine.RunSweeper;
import dev.kickoff.core.engine.StepRegistry;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.limit.ExecuteRateLimiter;
import dev.kickoff.core.run.TriggerAdmission;
import dev.kickoff.core.org.OrganizationService;
import dev.kickoff.core.port.Redelivery;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.port.RunQueue;
import dev.kickoff.core.run.RunControls;
import dev.kickoff.core.run.RunService;
import dev.kickoff.core.schema.JsonSchemas;
import dev.kickoff.core.workflow.VersionCache;
import dev.kickoff.core.workflow.WorkflowDefinitions;
import dev.kickoff.core.workflow.WorkflowService;
import dev.kickoff.adapters.aws.AwsClients;
import dev.kickoff.adapters.aws.DynamoActiveRuns;
import dev.kickoff.adapters.aws.DynamoWakeups;
import dev.kickoff.adapters.aws.DynamoCaseStore;
import dev.kickoff.adapters.aws.DynamoIdempotencyStore;
import dev.kickoff.adapters.aws.DynamoOrganizationStore;
import dev.kickoff.adapters.aws.DynamoRateLimitStore;
import dev.kickoff.adapters.aws.DynamoRunStore;
import dev.kickoff.adapters.aws.DynamoTable;
import dev.kickoff.adapters.aws.DynamoTokenStore;
import dev.kickoff.adapters.aws.DynamoTriggerReads;
import dev.kickoff.adapters.aws.DynamoWorkflowStore;
import dev.kickoff.adapters.aws.SqsDeadLetters;
import dev.kickoff.adapters.aws.SqsRedelivery;
import dev.kickoff.adapters.aws.SqsRunQueue;
import dev.kickoff.adapters.aws.DynamoWebhookStore;
import dev.kickoff.adapters.aws.SqsDeliveryQueue;
import dev.kickoff.core.webhook.DeliveryProcessor;
import dev.kickoff.core.webhook.EventFanout;
import dev.kickoff.core.port.WebhookSender;
import dev.kickoff.core.webhook.WebhookService;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import dev.kickoff.core.engine.StepType;
import dev.kickoff.adapters.aws.DynamoConnectionStore;
import dev.kickoff.adapters.aws.KmsSecretBox;
import dev.kickoff.adapters.outbound.KeyFileSecretBox;
import dev.kickoff.adapters.outbound.SafeHttpClient;
import dev.kickoff.adapters.outbound.SmtpMailSender;
import dev.kickoff.core.action.ActionRunner;
import dev.kickoff.core.action.Actions;
import dev.kickoff.core.connection.ConnectionService;
import dev.kickoff.core.port.SecretBox;
import dev.kickoff.core.port.ScheduleFires;
import dev.kickoff.core.schedule.ScheduleFirer;
import dev.kickoff.core.schedule.ScheduleService;
import dev.kickoff.core.schedule.ScheduleSweep;
import dev.kickoff.core.usage.BillingSettings;
import dev.kickoff.core.usage.Metering;
import dev.kickoff.core.usage.MonthlyRunQuota;
import dev.kickoff.core.usage.UsageService;
import dev.kickoff.adapters.aws.DynamoBillingStore;
import dev.kickoff.adapters.aws.DynamoScheduleStore;
import dev.kickoff.adapters.aws.DynamoUsageStore;
import dev.kickoff.adapters.aws.SqsScheduleFires;
import dev.kickoff.core.step.ActionSteps;
import dev.kickoff.core.step.HttpStep;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;

/**
 * The composition root: the core's services wired to the DynamoDB and SQS adapters. Plain constructors, no
 * reflection, so a function's cold start pays only for the objects it builds. SDK clients are created on
 * first use: the API needs SQS, a management-only request does not.
 */
public final class CompositionRoot {
    private final Settings settings;
    private final Clock clock;
    private final StepRegistry steps;
    private final RunObserver observer;
    private final DynamoDbClient dynamo;
    private volatile SqsClient sqs;
    /** One per instance: the KMS box caches data keys (briefly), which is only worth it if it is kept. */
    private volatile SecretBox secretBox;
    /** Built on first use (its TLS clients are not free): the API builds it only to validate a step that acts. */
    private volatile ActionRunner actionRunner;

    private final DynamoTable table;
    private final IdGenerator ids;
    private final WorkflowDefinitions definitions;
    private final DynamoWorkflowStore workflowStore;
    private final DynamoRunStore runStore;
    private final DynamoCaseStore caseStore;
    private final TokenService tokens;
    private final VersionCache versions;
    private final DynamoWebhookStore webhookStore;
    private final DynamoIdempotencyStore idempotency;
    /** One per instance: it caches organizations' limits and tokens whose window is full. */
    private final ExecuteRateLimiter executeLimits;
    /** One per instance: organizations' prices and quotas, cached for a minute; and the quota's month counts. */
    private final BillingSettings billing;
    private final MonthlyRunQuota runQuota;
    private final DynamoUsageStore usageStore;
    private final DynamoScheduleStore scheduleStore;
    /**
     * Names this process in lease owners. Drawn at init, so with SnapStart restored instances share it: lease
     * owners add a per-claim random part (see the worker).
     */
    private final String instanceId = UUID.randomUUID().toString();

    /** What every function's constructor for the local stack and the tests builds: its environment over the process's. */
    public static CompositionRoot fromEnvironment(Map<String, String> environment) {
        return new CompositionRoot(Settings.fromEnvironment(environment));
    }

    public CompositionRoot(Settings settings) {
        this(settings, Clock.systemUTC(), stepTypes(), new PowertoolsRunObserver(), AwsClients.dynamoDb());
        PowertoolsRunObserver.configure(settings.metricsNamespace(), settings.metricsEnabled());
    }

    public CompositionRoot(Settings settings, Clock clock, StepRegistry steps, RunObserver observer,
                          DynamoDbClient dynamo) {
        this.settings = settings;
        this.clock = clock;
        this.observer = observer;
        this.dynamo = dynamo;
        this.table = new DynamoTable(dynamo, settings.table());
        // The steps that act, over this root's outbound clients and connections: the API validates definitions with
        // the registry the worker executes with, so both know them (unless the caller brought its own).
        this.steps = steps.find(HttpStep.NAME).isPresent() ? steps : steps.with(ActionSteps.over(this::actionRunner));
        this.ids = new IdGenerator(clock);
        this.definitions = new WorkflowDefinitions(this.steps, List.of(JsonSchemas.definitionCheck()));
        this.workflowStore = new DynamoWorkflowStore(table, definitions::read);
        this.runStore = new DynamoRunStore(table, settings.timings().queuedReadWaits());
        this.caseStore = new DynamoCaseStore(table, runStore);
        this.tokens = new TokenService(new DynamoTokenStore(table), ids, clock);
        this.versions = new VersionCache(workflowStore, 256);
        this.webhookStore = new DynamoWebhookStore(table);
        this.idempotency = new DynamoIdempotencyStore(table);
        this.executeLimits = new ExecuteRateLimiter(new DynamoRateLimitStore(table), clock);
        this.billing = new BillingSettings(new DynamoBillingStore(table), clock);
        this.usageStore = new DynamoUsageStore(table);
        this.runQuota = new MonthlyRunQuota(billing, usageStore, clock);
        this.scheduleStore = new DynamoScheduleStore(table);
    }

    /** The built-in step types plus any a deployment adds through {@code META-INF/services} (tests add probes). */
    static StepRegistry stepTypes() {
        List<StepType> extra = new ArrayList<>();
        ServiceLoader.load(StepType.class).forEach(extra::add);
        return StepRegistry.standard().with(extra);
    }

    public Settings settings() {
        return settings;
    }

    public Clock clock() {
        return clock;
    }

    public String instanceId() {
        return instanceId;
    }

    public DynamoTable table() {
        return table;
    }

    public SqsClient sqs() {
        SqsClient current = sqs;
        if (current == null) {
            synchronized (this) {
                if (sqs == null) {
                    sqs = AwsClients.sqs();
                }
                current = sqs;
            }
        }
        return current;
    }

    public TokenService tokens() {
        return tokens;
    }

    public OrganizationService organizations() {
        return new OrganizationService(new DynamoOrganizationStore(table), tokens, ids, clock);
    }

    public WorkflowService workflows() {
        return new WorkflowService(workflowStore, definitions, ids, clock);
    }

    public RunService runs() {
        return new RunService(workflowStore, versions, runStore, idempotency, runQueue(), ids, clock, observer,
                RunService.DEFAULT_IDEMPOTENCY_TTL, runQuota);
    }

    // ---- managed schedules, metering and billing

    /** The queue schedules' fires go through; its SQS client is built on first send. */
    public ScheduleFires scheduleFires() {
        return fires -> new SqsScheduleFires(sqs(), settings.schedules().firesQueueUrl()).send(fires);
    }

    public DynamoScheduleStore scheduleStore() {
        return scheduleStore;
    }

    public ScheduleService schedules() {
        return new ScheduleService(workflowStore, versions, scheduleStore, scheduleFires(), ids, clock);
    }

    /** Handles one fire (the scheduler function). */
    public ScheduleFirer scheduleFirer() {
        return new ScheduleFirer(scheduleStore, runs(), clock);
    }

    /** The sweeper's firing pass. */
    public ScheduleSweep scheduleSweep() {
        return new ScheduleSweep(scheduleStore, scheduleFires(), clock, settings.schedules().maxFiresPerSweep());
    }

    /** What the scheduler function does with a fire message it keeps: back later (its visibility on the fires queue). */
    public Redelivery scheduleFireRedelivery() {
        return new SqsRedelivery(sqs(), settings.schedules().firesQueueUrl());
    }

    public BillingSettings billing() {
        return billing;
    }

    public DynamoUsageStore usageStore() {
        return usageStore;
    }

    /** Prices and counts runs as they finish (the streams function). */
    public Metering metering() {
        return new Metering(usageStore, billing);
    }

    public UsageService usage() {
        return new UsageService(usageStore, billing, clock);
    }

    /**
     * The runs queue. Its SQS client is built on first send (a management-only request needs none), so this is a
     * port over whichever client {@link #sqs()} has by then.
     */
    public RunQueue runQueue() {
        return new RunQueue() {
            @Override
            public void enqueue(long orgId, long runId) {
                new SqsRunQueue(sqs(), settings.runsQueueUrl()).enqueue(orgId, runId);
            }

            @Override
            public void enqueue(long orgId, long runId, Duration delay) {
                new SqsRunQueue(sqs(), settings.runsQueueUrl()).enqueue(orgId, runId, delay);
            }
        };
    }

    /** What the worker does with a run message it keeps: it comes back later (its visibility on the runs queue). */
    public Redelivery runRedelivery() {
        return new SqsRedelivery(sqs(), settings.runsQueueUrl());
    }

    /** Takes the runs' dead letters in (the sweeper); empty when this function has no dead-letter queue to read. */
    public Optional<DeadLetterIntake> deadLetterIntake() {
        return settings.runsDeadLetterUrl() == null ? Optional.empty()
                : Optional.of(new DeadLetterIntake(new SqsDeadLetters(sqs(), settings.runsDeadLetterUrl()), runStore,
                clock));
    }

    /** Cancelling a run, retrying it from its failed step, signalling it (the controls a client has over its runs). */
    public RunControls runControls() {
        return new RunControls(runStore, caseStore, runQueue(), versions, clock);
    }

    /** The per-token limit on the endpoints that start runs (every API shape). */
    public ExecuteRateLimiter executeLimits() {
        return executeLimits;
    }

    /** Token, execute limit and workflow head at the front of every trigger, in as few round trips as it can. */
    public TriggerAdmission triggerAdmission() {
        return new TriggerAdmission(tokens, new DynamoTriggerReads(table), executeLimits);
    }

    public RunExecutor executor() {
        return new RunExecutor(runStore, caseStore, versions, steps, clock, settings.runLease(), observer, runQueue());
    }

    /** Finds and moves runs nothing else will (see RunSweeper); one per sweeper instance, it keeps its place. */
    public RunSweeper sweeper() {
        return new RunSweeper(new DynamoActiveRuns(table), new DynamoWakeups(table), runQueue(), executor(), clock,
                settings.timings().sweep());
    }

    public CaseService cases() {
        return new CaseService(workflowStore, versions, caseStore, runQueue(), ids, clock, observer);
    }

    public DynamoCaseStore caseStore() {
        return caseStore;
    }

    public DynamoRunStore runStore() {
        return runStore;
    }

    public DynamoWorkflowStore workflowStore() {
        return workflowStore;
    }

    public VersionCache versions() {
        return versions;
    }

    public IdGenerator ids() {
        return ids;
    }

    public StepRegistry steps() {
        return steps;
    }

    public RunObserver observer() {
        return observer;
    }

    public DynamoDbClient dynamo() {
        return dynamo;
    }

    // ---- webhooks

    public DynamoWebhookStore webhookStore() {
        return webhookStore;
    }

    public SqsDeliveryQueue deliveryQueue() {
        return new SqsDeliveryQueue(sqs(), settings.webhookQueueUrl());
    }

    public WebhookService webhooks() {
        return new WebhookService(webhookStore, workflowStore, (id, attempt, delay) -> deliveryQueue()
                .enqueue(id, attempt, delay), ids, clock, settings.webhooks(), settings.local());
    }

    public EventFanout fanout() {
        return new EventFanout(webhookStore, deliveryQueue(), clock, settings.webhooks());
    }

    /** Webhook deliveries through the SSRF-safe sender (loopback endpoints allowed in local mode only). */
    public DeliveryProcessor deliveries() {
        return deliveries(new dev.kickoff.adapters.outbound.SafeHttpSender(settings.local()));
    }

    public DeliveryProcessor deliveries(WebhookSender sender) {
        return new DeliveryProcessor(webhookStore, deliveryQueue(), sender, clock, settings.webhooks());
    }

    // ---- connections and the steps that act (http, action, email)

    /**
     * The master key of connection secrets, built on first use: KMS on AWS, the key file in the local stack. A
     * function without either can list and show connections, but not seal or open their secrets.
     */
    public SecretBox secretBox() {
        SecretBox current = secretBox;
        if (current == null) {
            synchronized (this) {
                if (secretBox == null) {
                    Settings.Secrets s = settings.secrets();
                    if (s.keyFile() != null) {
                        secretBox = KeyFileSecretBox.open(java.nio.file.Path.of(s.keyFile()));
                    } else if (s.kmsKeyId() != null) {
                        secretBox = new KmsSecretBox(AwsClients.kms(), s.kmsKeyId());
                    } else {
                        throw new IllegalStateException("connection secrets need KICKOFF_SECRETS_KMS_KEY_ID (template.yaml"
                                + " sets it for the API and worker functions) or KICKOFF_SECRETS_KEY_FILE (the local stack)");
                    }
                }
                current = secretBox;
            }
        }
        return current;
    }

    public DynamoConnectionStore connectionStore() {
        return new DynamoConnectionStore(table);
    }

    public ConnectionService connections() {
        // The box is looked up when a secret is sealed or opened, not before: listing needs no key.
        SecretBox lazy = new SecretBox() {
            @Override
            public byte[] seal(java.util.Map<String, String> secrets, Context context) {
                return secretBox().seal(secrets, context);
            }

            @Override
            public java.util.Map<String, String> open(byte[] sealed, Context context) {
                return secretBox().open(sealed, context);
            }
        };
        return new ConnectionService(connectionStore(), lazy, clock, settings.local());
    }

    /** Outbound HTTP under the SSRF rules (loopback allowed in local mode only). */
    public SafeHttpClient outboundHttp() {
        return new SafeHttpClient(settings.local());
    }

    public SmtpMailSender mailSender() {
        return new SmtpMailSender(settings.local());
    }

    /** The actions the steps use (their outbound ports count what each step sends: {@code outbound_requests}). */
    public Actions actions() {
        return actionRunner().actions();
    }

    /**
     * What the steps that act wrap: connection choice, the action, and redaction of what is recorded. One per
     * instance, built on first use.
     */
    public ActionRunner actionRunner() {
        ActionRunner current = actionRunner;
        if (current == null) {
            synchronized (this) {
                if (actionRunner == null) {
                    actionRunner = ActionSteps.runner(outboundHttp(), mailSender(), connections(), clock);
                }
                current = actionRunner;
            }
        }
        return current;
    }
}
