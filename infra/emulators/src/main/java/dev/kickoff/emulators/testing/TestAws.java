package dev.kickoff.emulators.testing;

import dev.kickoff.emulators.AwsEndpoints;
import dev.kickoff.emulators.CloudFormationTemplate;
import dev.kickoff.emulators.LocalDynamoDb;
import dev.kickoff.emulators.LocalSqs;
import dev.kickoff.emulators.Provisioner;
import dev.kickoff.emulators.StackResources;
import org.opentest4j.TestAbortedException;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The integration suite's one switch for AWS endpoints: {@code -Dkickoff.stack=embedded} (the default) starts
 * DynamoDB Local and ElasticMQ in this JVM on loopback; {@code -Dkickoff.stack=localstack} runs LocalStack
 * through Testcontainers, and aborts (skips) the tests when no Docker engine is available. Started once per
 * JVM; each test class provisions its own copy of the template's resources under a fresh stack name.
 */
public final class TestAws {
    private static volatile TestAws instance;
    private static final AtomicInteger STACKS = new AtomicInteger();

    private final AwsEndpoints endpoints;
    private final String mode;

    private TestAws(AwsEndpoints endpoints, String mode) {
        this.endpoints = endpoints;
        this.mode = mode;
    }

    public static TestAws get() {
        TestAws current = instance;
        if (current == null) {
            synchronized (TestAws.class) {
                if (instance == null) {
                    instance = start(System.getProperty("kickoff.stack", "embedded"));
                }
                current = instance;
            }
        }
        current.endpoints.install();
        return current;
    }

    private static TestAws start(String mode) {
        return switch (mode) {
            case "embedded" -> {
                LocalDynamoDb dynamo = LocalDynamoDb.start(null, 0);
                LocalSqs sqs = LocalSqs.start(0);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    sqs.close();
                    dynamo.close();
                }));
                yield new TestAws(AwsEndpoints.local(dynamo.endpoint(), sqs.endpoint()), mode);
            }
            case "localstack" -> new TestAws(LocalStackEndpoints.start(), mode);
            default -> throw new IllegalArgumentException("kickoff.stack must be embedded or localstack, not " + mode);
        };
    }

    public AwsEndpoints endpoints() {
        return endpoints;
    }

    public String mode() {
        return mode;
    }

    /** Creates the template's tables and queues under a stack name no other test class uses. */
    public StackResources provision(String purpose) {
        String stackName = "t" + ProcessHandle.current().pid() + "-" + STACKS.incrementAndGet() + "-" + purpose;
        return new Provisioner(endpoints.dynamoDbClient(), endpoints.sqsClient())
                .provision(CloudFormationTemplate.load(CloudFormationTemplate.locate()), stackName, endpoints.region());
    }

    /** LocalStack through Testcontainers, only touched in that mode (the classes are optional dependencies). */
    static final class LocalStackEndpoints {
        static AwsEndpoints start() {
            try {
                if (!org.testcontainers.DockerClientFactory.instance().isDockerAvailable()) {
                    throw new TestAbortedException("kickoff.stack=localstack needs a Docker engine; none is running");
                }
            } catch (NoClassDefFoundError e) {
                throw new TestAbortedException("kickoff.stack=localstack needs org.testcontainers:localstack on the"
                        + " test classpath");
            }
            var container = new org.testcontainers.containers.localstack.LocalStackContainer(
                    org.testcontainers.utility.DockerImageName.parse("localstack/localstack:3.8"))
                    .withServices(org.testcontainers.containers.localstack.LocalStackContainer.Service.DYNAMODB,
                            org.testcontainers.containers.localstack.LocalStackContainer.Service.SQS);
            container.start();
            URI endpoint = container.getEndpoint();
            return new AwsEndpoints(endpoint, endpoint, container.getRegion(), container.getAccessKey(),
                    container.getSecretKey());
        }
    }
}
