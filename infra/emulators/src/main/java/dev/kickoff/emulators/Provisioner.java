package dev.kickoff.emulators;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateGlobalSecondaryIndexAction;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexUpdate;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.UpdateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveSpecification;
import software.amazon.awssdk.services.dynamodb.model.UpdateTimeToLiveRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.CreateQueueRequest;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SetQueueAttributesRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Creates a template's DynamoDB tables and SQS queues on whatever endpoints the clients point at (the embedded
 * emulators or LocalStack), exactly as declared: keys, indexes, streams, TTL, visibility timeouts, redrive
 * policies. Idempotent: existing resources are reused, so the local stack's data survives restarts (an index the
 * template gained since is added to the existing table).
 */
public final class Provisioner {
    private final DynamoDbClient dynamo;
    private final SqsClient sqs;

    public Provisioner(DynamoDbClient dynamo, SqsClient sqs) {
        this.dynamo = dynamo;
        this.sqs = sqs;
    }

    public StackResources provision(CloudFormationTemplate template, String stackName, String region) {
        StackResources resources = new StackResources(template, stackName, region, "000000000000");
        for (String id : template.logicalIds("AWS::DynamoDB::Table")) {
            resources.table(id, table(stackName + "-" + id, template.properties(id)));
        }
        // Queues first without redrive (a redrive target must exist), then their remaining attributes.
        List<String> queueIds = template.logicalIds("AWS::SQS::Queue");
        for (String id : queueIds) {
            Map<String, Object> props = template.properties(id);
            boolean fifo = Boolean.parseBoolean(String.valueOf(props.getOrDefault("FifoQueue", "false")));
            String name = stackName + "-" + id + (fifo ? ".fifo" : "");
            Map<QueueAttributeName, String> create = new HashMap<>();
            if (fifo) {
                create.put(QueueAttributeName.FIFO_QUEUE, "true");
            }
            String url = sqs.createQueue(CreateQueueRequest.builder().queueName(name).attributes(create).build()).queueUrl();
            String arn = sqs.getQueueAttributes(GetQueueAttributesRequest.builder().queueUrl(url)
                    .attributeNames(QueueAttributeName.QUEUE_ARN).build()).attributes().get(QueueAttributeName.QUEUE_ARN);
            resources.queue(id, new StackResources.Queue(name, url, arn));
        }
        for (String id : queueIds) {
            Map<String, Object> props = template.properties(id);
            Map<QueueAttributeName, String> attributes = new HashMap<>();
            copy(props, "VisibilityTimeout", QueueAttributeName.VISIBILITY_TIMEOUT, resources, attributes);
            copy(props, "MessageRetentionPeriod", QueueAttributeName.MESSAGE_RETENTION_PERIOD, resources, attributes);
            copy(props, "ReceiveMessageWaitTimeSeconds", QueueAttributeName.RECEIVE_MESSAGE_WAIT_TIME_SECONDS,
                    resources, attributes);
            copy(props, "DelaySeconds", QueueAttributeName.DELAY_SECONDS, resources, attributes);
            copy(props, "ContentBasedDeduplication", QueueAttributeName.CONTENT_BASED_DEDUPLICATION, resources,
                    attributes);
            Object redrive = props.get("RedrivePolicy");
            if (redrive instanceof Map<?, ?> policy) {
                String target = resources.text(policy.get("deadLetterTargetArn"));
                String max = resources.text(policy.get("maxReceiveCount"));
                attributes.put(QueueAttributeName.REDRIVE_POLICY,
                        "{\"deadLetterTargetArn\":\"" + target + "\",\"maxReceiveCount\":\"" + max + "\"}");
            }
            if (!attributes.isEmpty()) {
                sqs.setQueueAttributes(SetQueueAttributesRequest.builder().queueUrl(resources.queue(id).url())
                        .attributes(attributes).build());
            }
        }
        return resources;
    }

    private static void copy(Map<String, Object> props, String property, QueueAttributeName name,
                             StackResources resources, Map<QueueAttributeName, String> out) {
        if (props.containsKey(property)) {
            out.put(name, resources.text(props.get(property)));
        }
    }

    @SuppressWarnings("unchecked")
    private StackResources.Table table(String name, Map<String, Object> props) {
        TableDescription existing = describe(name);
        List<AttributeDefinition> attributes = ((List<Map<String, Object>>) props.get("AttributeDefinitions")).stream()
                .map(a -> AttributeDefinition.builder().attributeName((String) a.get("AttributeName"))
                        .attributeType((String) a.get("AttributeType")).build()).toList();
        List<GlobalSecondaryIndex> indexes = new ArrayList<>();
        for (Map<String, Object> gsi : (List<Map<String, Object>>) props.getOrDefault("GlobalSecondaryIndexes",
                List.of())) {
            Map<String, Object> projection = (Map<String, Object>) gsi.get("Projection");
            Projection.Builder p = Projection.builder().projectionType((String) projection.get("ProjectionType"));
            if (projection.get("NonKeyAttributes") instanceof List<?> attrs) {
                p.nonKeyAttributes(attrs.stream().map(String::valueOf).toList());
            }
            indexes.add(GlobalSecondaryIndex.builder().indexName((String) gsi.get("IndexName"))
                    .keySchema(keySchema((List<Map<String, Object>>) gsi.get("KeySchema")))
                    .projection(p.build()).build());
        }
        if (existing == null) {
            CreateTableRequest.Builder request = CreateTableRequest.builder().tableName(name)
                    .attributeDefinitions(attributes)
                    .keySchema(keySchema((List<Map<String, Object>>) props.get("KeySchema")))
                    .billingMode(BillingMode.PAY_PER_REQUEST);
            if (!indexes.isEmpty()) {
                request.globalSecondaryIndexes(indexes);
            }
            if (props.get("StreamSpecification") instanceof Map<?, ?> stream) {
                request.streamSpecification(StreamSpecification.builder().streamEnabled(true)
                        .streamViewType((String) stream.get("StreamViewType")).build());
            }
            dynamo.createTable(request.build());
            if (props.get("TimeToLiveSpecification") instanceof Map<?, ?> ttl
                    && Boolean.parseBoolean(String.valueOf(ttl.get("Enabled")))) {
                dynamo.updateTimeToLive(UpdateTimeToLiveRequest.builder().tableName(name)
                        .timeToLiveSpecification(TimeToLiveSpecification.builder().enabled(true)
                                .attributeName((String) ttl.get("AttributeName")).build()).build());
            }
            existing = describe(name);
        } else {
            addMissingIndexes(name, existing, attributes, indexes);
        }
        return new StackResources.Table(name, existing.latestStreamArn());
    }

    /**
     * A table kept from an older template (the local stack's data directory) gets the indexes added since, as
     * CloudFormation would add them on a stack update: one at a time, backfilled from the items already there.
     */
    private void addMissingIndexes(String name, TableDescription existing, List<AttributeDefinition> attributes,
                                   List<GlobalSecondaryIndex> declared) {
        java.util.Set<String> present = new java.util.HashSet<>();
        existing.globalSecondaryIndexes().forEach(i -> present.add(i.indexName()));
        for (GlobalSecondaryIndex index : declared) {
            if (present.contains(index.indexName())) {
                continue;
            }
            java.util.Set<String> keys = new java.util.HashSet<>();
            index.keySchema().forEach(k -> keys.add(k.attributeName()));
            dynamo.updateTable(UpdateTableRequest.builder().tableName(name)
                    .attributeDefinitions(attributes.stream().filter(a -> keys.contains(a.attributeName())).toList())
                    .globalSecondaryIndexUpdates(GlobalSecondaryIndexUpdate.builder().create(
                            CreateGlobalSecondaryIndexAction.builder().indexName(index.indexName())
                                    .keySchema(index.keySchema()).projection(index.projection()).build()).build())
                    .build());
            awaitActive(name, index.indexName());
        }
    }

    private void awaitActive(String table, String index) {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            TableDescription d = describe(table);
            boolean active = d != null && d.globalSecondaryIndexes().stream()
                    .anyMatch(i -> i.indexName().equals(index) && i.indexStatus() == IndexStatus.ACTIVE);
            if (active) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("index " + index + " of " + table + " did not become active");
    }

    private TableDescription describe(String name) {
        try {
            return dynamo.describeTable(DescribeTableRequest.builder().tableName(name).build()).table();
        } catch (ResourceNotFoundException e) {
            return null;
        }
    }

    private static List<KeySchemaElement> keySchema(List<Map<String, Object>> schema) {
        return schema.stream().map(k -> KeySchemaElement.builder().attributeName((String) k.get("AttributeName"))
                .keyType((String) k.get("KeyType")).build()).toList();
    }
}
