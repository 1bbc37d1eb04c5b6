package dev.kickoff.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.kickoff.emulators.CloudFormationTemplate;
import dev.kickoff.emulators.EventSource;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.Intrinsic;
import dev.kickoff.emulators.testing.TestAws;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What template.yaml promises, checked against the code: handlers exist with the method Lambda calls, CodeUri
 * names the jar the build makes, and the event sources and their limits fit together.
 */
class TemplateContractTest {
    static CloudFormationTemplate template;
    static List<FunctionSpec> functions;
    static Path root;

    @BeforeAll
    static void load() {
        Path file = CloudFormationTemplate.locate();
        root = file.getParent();
        template = CloudFormationTemplate.load(file);
        functions = FunctionSpec.all(TestAws.get().provision("contract"));
    }

    @Test
    void everyHandlerIsARequestHandlerWithTheConstructorsLambdaAndTheLocalStackUse() throws Exception {
        assertThat(functions).extracting(FunctionSpec::logicalId)
                .contains("ApiFunction", "WorkerFunction", "AdminFunction", "SweeperFunction");
        for (FunctionSpec f : functions) {
            Class<?> type = Class.forName(f.handlerClass());
            assertThat(RequestHandler.class).as(f.logicalId()).isAssignableFrom(type);
            assertThat(f.handlerMethod()).isEqualTo("handleRequest");
            assertThat(type.getMethod("handleRequest", Object.class, Context.class)).isNotNull();
            assertThat(type.getConstructor()).as("Lambda's no-argument constructor").isNotNull();
            assertThat(type.getConstructor(Map.class)).as("the local stack's constructor").isNotNull();
        }
    }

    /**
     * Webhook deliveries scale out as the template lets Lambda do it: with the 2 pollers every other queue gets, a
     * hanging endpoint's 10 s attempts held up a healthy endpoint's deliveries for minutes (reliability suite, seed
     * 828337).
     */
    @Test
    void theDeliveryQueueGetsMorePollersLocallyAsItsScalingConfigAllows() {
        FunctionSpec delivery = functions.stream().filter(f -> f.logicalId().equals("DeliveryFunction")).findFirst().orElseThrow();
        EventSource.Sqs source = delivery.events(EventSource.Sqs.class).getFirst();
        assertThat(source.maximumConcurrency()).isEqualTo(50);
        assertThat(KickoffLocal.pollers(source, 2)).isEqualTo(KickoffLocal.MAX_LOCAL_POLLERS);
        FunctionSpec worker = functions.stream().filter(f -> f.logicalId().equals("WorkerFunction")).findFirst().orElseThrow();
        for (EventSource.Sqs s : worker.events(EventSource.Sqs.class)) {
            assertThat(KickoffLocal.pollers(s, 2)).as(s.name() + " (no ScalingConfig)").isEqualTo(2);
        }
    }

    @Test
    void codeUriNamesTheJarTheModuleBuilds() throws Exception {
        for (FunctionSpec f : functions) {
            String uri = f.codeUri();
            assertThat(uri).as(f.logicalId()).matches("functions/[a-z]+/target/kickoff-[a-z]+\\.jar");
            String module = uri.substring(0, uri.indexOf("/target/"));
            String jar = uri.substring(uri.lastIndexOf('/') + 1, uri.length() - ".jar".length());
            String pom = Files.readString(root.resolve(module).resolve("pom.xml"));
            assertThat(pom).as(module + "/pom.xml").contains("<lambda.jar.name>" + jar + "</lambda.jar.name>")
                    .contains("maven-shade-plugin");
        }
    }

    @Test
    void theRunsQueueFitsItsWorker() {
        FunctionSpec worker = functions.stream().filter(f -> f.logicalId().equals("WorkerFunction")).findFirst().orElseThrow();
        EventSource.Sqs runs = worker.events(EventSource.Sqs.class).getFirst();
        assertThat(runs.reportBatchItemFailures()).isTrue();
        assertThat(runs.batchSize()).isBetween(1, 10);

        Map<String, Object> queue = template.properties(runs.queue());
        int visibility = Integer.parseInt(String.valueOf(queue.get("VisibilityTimeout")));
        assertThat(visibility).as("AWS: visibility timeout at least 6x the function timeout")
                .isGreaterThanOrEqualTo(6 * worker.timeoutSeconds());
        int lease = Integer.parseInt(worker.environment().get("KICKOFF_RUN_LEASE_SECONDS"));
        assertThat(lease).as("a lease outlives an invocation, and ends before the message comes back")
                .isGreaterThan(worker.timeoutSeconds()).isLessThan(visibility);

        Map<?, ?> redrive = (Map<?, ?>) queue.get("RedrivePolicy");
        assertThat(redrive.get("maxReceiveCount")).isEqualTo(new Intrinsic.Ref("RunMaxReceiveCount"));
        Map<?, ?> variables = (Map<?, ?>) ((Map<?, ?>) template.globals("Function").get("Environment")).get("Variables");
        assertThat(variables.get("KICKOFF_RUN_MAX_RECEIVE_COUNT")).as("the worker reads the same threshold")
                .isEqualTo(new Intrinsic.Ref("RunMaxReceiveCount"));
    }

    @Test
    void theWorkerMayChangeTheVisibilityOfItsOwnMessages() {
        // The worker calls sqs:ChangeMessageVisibility (SqsRedelivery); the SQS event source's managed policy does not grant it,
        // and ElasticMQ checks no IAM, so only this test can catch its absence.
        List<?> policies = (List<?>) template.properties("WorkerFunction").get("Policies");
        assertThat(policies).anySatisfy(p -> {
            Map<?, ?> poller = (Map<?, ?>) ((Map<?, ?>) p).get("SQSPollerPolicy");
            assertThat(poller).isNotNull();
            assertThat(poller.get("QueueName")).isEqualTo(new Intrinsic.GetAtt("RunsQueue", "QueueName"));
        });
    }

    @Test
    void theWorkerMaySendToItsOwnQueueToRequeueARunThatYielded() {
        List<?> policies = (List<?>) template.properties("WorkerFunction").get("Policies");
        assertThat(policies).anySatisfy(p -> {
            Map<?, ?> send = (Map<?, ?>) ((Map<?, ?>) p).get("SQSSendMessagePolicy");
            assertThat(send).isNotNull();
            assertThat(send.get("QueueName")).isEqualTo(new Intrinsic.GetAtt("RunsQueue", "QueueName"));
        });
    }

    @Test
    void theActiveRunsIndexIsSparseAndKeysOnly() {
        Map<String, Object> table = template.properties("KickoffTable");
        List<?> indexes = (List<?>) table.get("GlobalSecondaryIndexes");
        Map<?, ?> gsi2 = indexes.stream().map(i -> (Map<?, ?>) i).filter(i -> "gsi2".equals(i.get("IndexName")))
                .findFirst().orElseThrow();
        assertThat(((Map<?, ?>) gsi2.get("Projection")).get("ProjectionType")).isEqualTo("KEYS_ONLY");
        assertThat(List.copyOf((List<?>) gsi2.get("KeySchema"))).isEqualTo(List.of(
                Map.of("AttributeName", "gsi2pk", "KeyType", "HASH"),
                Map.of("AttributeName", "gsi2sk", "KeyType", "RANGE")));
        assertThat(List.<Object>copyOf((List<?>) table.get("AttributeDefinitions"))).contains(
                Map.of("AttributeName", "gsi2pk", "AttributeType", "S"),
                Map.of("AttributeName", "gsi2sk", "AttributeType", "S"));
    }

    @Test
    void theSweeperRunsEveryMinuteWithOnlyWhatItNeeds() {
        FunctionSpec sweeper = functions.stream().filter(f -> f.logicalId().equals("SweeperFunction")).findFirst()
                .orElseThrow();
        assertThat(sweeper.events()).hasSize(1);
        EventSource.Schedule schedule = sweeper.events(EventSource.Schedule.class).getFirst();
        assertThat(schedule.expression()).isEqualTo("rate(1 minute)");
        assertThat(schedule.input()).as("the handler takes EventBridge's Scheduled Event").isNull();
        assertThat(sweeper.timeoutSeconds()).as("room for a sweep and the 10 s it keeps back").isBetween(30, 60);
        assertThat(sweeper.environment().get("KICKOFF_RUN_LEASE_SECONDS"))
                .isEqualTo(FunctionSpec.of("WorkerFunction", TestAws.get().provision("contract-lease")).environment()
                        .get("KICKOFF_RUN_LEASE_SECONDS"));
        int grace = Integer.parseInt(sweeper.environment().get("KICKOFF_SWEEP_GRACE_SECONDS"));
        assertThat(grace).as("longer than a worker invocation, so a live run is never recovered")
                .isGreaterThan(functions.stream().filter(f -> f.logicalId().equals("WorkerFunction")).findFirst()
                        .orElseThrow().timeoutSeconds());

        List<?> policies = (List<?>) template.properties("SweeperFunction").get("Policies");
        assertThat(policies).hasSize(4);
        assertThat(policies.stream().map(p -> (Map<?, ?>) ((Map<?, ?>) p).get("SQSSendMessagePolicy"))
                .filter(java.util.Objects::nonNull).map(p -> (Object) p.get("QueueName")).toList())
                .as("runs it recovers, and the managed schedules' fires it finds due")
                .containsExactly(new Intrinsic.GetAtt("RunsQueue", "QueueName"),
                        new Intrinsic.GetAtt("ScheduleFiresQueue", "QueueName"));
        assertThat(policies.stream().map(p -> (Map<?, ?>) ((Map<?, ?>) p).get("SQSPollerPolicy"))
                .filter(java.util.Objects::nonNull).map(p -> (Object) p.get("QueueName")).toList())
                .as("it drains the runs' dead-letter queue, and no other")
                .containsExactly(new Intrinsic.GetAtt("RunsDeadLetterQueue", "QueueName"));
        assertThat(sweeper.environment().get("KICKOFF_RUNS_DLQ_URL")).contains("RunsDeadLetterQueue");
        List<?> statements = policies.stream().map(p -> (List<?>) ((Map<?, ?>) p).get("Statement"))
                .filter(java.util.Objects::nonNull).findFirst().orElseThrow();
        assertThat(statements).hasSize(2);
        Map<?, ?> query = (Map<?, ?>) statements.get(0);
        assertThat(query.get("Action")).isEqualTo(List.of("dynamodb:Query"));
        assertThat(query.get("Resource")).as("the active-runs and the wake-up indexes, nothing else").isEqualTo(List.of(
                new Intrinsic.Sub("${KickoffTable.Arn}/index/gsi2"), new Intrinsic.Sub("${KickoffTable.Arn}/index/gsi3")));
        Map<?, ?> items = (Map<?, ?>) statements.get(1);
        assertThat(items.get("Action")).as("no Scan, no Put, no Delete")
                .isEqualTo(List.of("dynamodb:GetItem", "dynamodb:UpdateItem"));
        assertThat(items.get("Resource")).isEqualTo(new Intrinsic.GetAtt("KickoffTable", "Arn"));
    }

    @Test
    void theTableHasStreamsTtlAndOnDemandBilling() {
        Map<String, Object> table = template.properties("KickoffTable");
        assertThat(table.get("BillingMode")).isEqualTo("PAY_PER_REQUEST");
        assertThat(((Map<?, ?>) table.get("StreamSpecification")).get("StreamViewType")).isEqualTo("NEW_AND_OLD_IMAGES");
        assertThat(((Map<?, ?>) table.get("TimeToLiveSpecification")).get("AttributeName")).isEqualTo("expires_at");
    }

    @Test
    void everyFunctionGetsTheTableAndTracing() {
        for (FunctionSpec f : functions) {
            assertThat(f.environment()).as(f.logicalId()).containsKey("KICKOFF_TABLE");
            assertThat(f.environment().get("KICKOFF_TABLE")).endsWith("-KickoffTable");
        }
        assertThat(template.globals("Function").get("Tracing")).as("tracing follows the TracingMode parameter")
                .isEqualTo(new dev.kickoff.emulators.Intrinsic.Ref("TracingMode"));
        assertThat(template.parameterDefault("TracingMode")).as("tracing is opt-in: a default deployment pays no X-Ray")
                .isEqualTo("PassThrough");
        assertThat(template.globals("Function").get("Runtime")).isEqualTo("java21");
        assertThat(((Map<?, ?>) template.globals("Function").get("SnapStart")).get("ApplyOn")).isEqualTo("PublishedVersions");
    }

    @Test
    void theWebhookFunctionsFitTheirSources() {
        FunctionSpec delivery = functions.stream().filter(f -> f.logicalId().equals("DeliveryFunction")).findFirst()
                .orElseThrow();
        EventSource.Sqs queue = delivery.events(EventSource.Sqs.class).getFirst();
        assertThat(queue.reportBatchItemFailures()).isTrue();
        Map<String, Object> props = template.properties(queue.queue());
        assertThat(Integer.parseInt(String.valueOf(props.get("VisibilityTimeout"))))
                .as("AWS: visibility timeout at least 6x the function timeout")
                .isGreaterThanOrEqualTo(6 * delivery.timeoutSeconds());
        assertThat(delivery.timeoutSeconds()).as("longer than one 10 s request plus DNS and DynamoDB")
                .isGreaterThan(10);
        assertThat(((Map<?, ?>) props.get("RedrivePolicy")).get("deadLetterTargetArn"))
                .isEqualTo(new Intrinsic.GetAtt("WebhookDeliveryDeadLetterQueue", "Arn"));

        FunctionSpec streams = functions.stream().filter(f -> f.logicalId().equals("StreamsFunction")).findFirst()
                .orElseThrow();
        EventSource.DynamoDbStream stream = streams.events(EventSource.DynamoDbStream.class).getFirst();
        assertThat(stream.table()).isEqualTo("KickoffTable");
        assertThat(stream.reportBatchItemFailures()).isTrue();
        assertThat(stream.bisectBatchOnFunctionError()).isTrue();
        assertThat(stream.maximumRetryAttempts()).as("a poison record must not block the shard forever")
                .isBetween(0, 100);
        assertThat(stream.filterPatterns()).as("run transitions, out of suspended (run.resumed), cases").hasSize(3);
        assertThat(streams.environment()).containsKeys("KICKOFF_PUBLIC_URL", "KICKOFF_WEBHOOK_QUEUE_URL");
    }

    @Test
    void connectionSecretsHaveARotatingKeyThatTheApiSealsWithAndOnlyTheWorkerOpens() {
        assertThat(template.logicalIds("AWS::KMS::Key")).containsExactly("SecretsKey");
        Map<String, Object> key = template.properties("SecretsKey");
        assertThat(key.get("EnableKeyRotation")).isEqualTo(true);
        assertThat(key.get("KeySpec")).isEqualTo("SYMMETRIC_DEFAULT");
        List<?> keyStatements = (List<?>) ((Map<?, ?>) key.get("KeyPolicy")).get("Statement");
        assertThat(keyStatements).as("the key policy leaves the key to the account's IAM").singleElement().satisfies(st -> {
            Map<?, ?> statement = (Map<?, ?>) st;
            assertThat(statement.get("Effect")).isEqualTo("Allow");
            assertThat(((Map<?, ?>) statement.get("Principal")).get("AWS"))
                    .isEqualTo(new Intrinsic.Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root"));
        });

        for (FunctionSpec f : functions) {
            List<String> kmsActions = kmsActions(f.logicalId());
            switch (f.logicalId()) {
                case "ApiFunction" -> {
                    assertThat(kmsActions).as("the API seals: new data keys only").containsExactly("kms:GenerateDataKey");
                    assertThat(f.environment().get("KICKOFF_SECRETS_KMS_KEY_ID")).endsWith("-SecretsKey");
                }
                case "WorkerFunction" -> {
                    assertThat(kmsActions).as("the worker opens: decrypt only").containsExactly("kms:Decrypt");
                    assertThat(f.environment().get("KICKOFF_SECRETS_KMS_KEY_ID")).endsWith("-SecretsKey");
                }
                default -> {
                    assertThat(kmsActions).as(f.logicalId() + " has no business with secrets").isEmpty();
                    assertThat(f.environment()).as(f.logicalId()).doesNotContainKey("KICKOFF_SECRETS_KMS_KEY_ID");
                }
            }
        }
    }

    /** Every KMS action a function's inline statements grant; each must be scoped to the secrets key and its context. */
    private static List<String> kmsActions(String function) {
        List<String> out = new java.util.ArrayList<>();
        Object policies = template.properties(function).get("Policies");
        for (Object p : policies instanceof List<?> l ? l : List.of()) {
            if (!(p instanceof Map<?, ?> policy) || !(policy.get("Statement") instanceof List<?> statements)) {
                assertThat(String.valueOf(p)).as(function + ": managed policies grant no KMS").doesNotContain("kms:");
                continue;
            }
            for (Object st : statements) {
                Map<?, ?> statement = (Map<?, ?>) st;
                List<?> actions = statement.get("Action") instanceof List<?> a ? a : List.of(statement.get("Action"));
                List<String> kms = actions.stream().map(String::valueOf).filter(a -> a.startsWith("kms:")).toList();
                if (!kms.isEmpty()) {
                    assertThat(statement.get("Resource")).as(function).isEqualTo(new Intrinsic.GetAtt("SecretsKey", "Arn"));
                    assertThat(String.valueOf(statement.get("Condition"))).as(function + ": only with Kickoff's context")
                            .contains("kms:EncryptionContextKeys").contains("kickoff:org").contains("kickoff:connection");
                    out.addAll(kms);
                }
            }
        }
        return out;
    }
}
