package dev.kickoff.emulators;

import dev.kickoff.emulators.testing.TestAws;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Provisioning is idempotent and catches up with the template: a kept table gains the indexes added since. */
class ProvisionerTest {
    static final String BEFORE = """
            Resources:
              Table:
                Type: AWS::DynamoDB::Table
                Properties:
                  BillingMode: PAY_PER_REQUEST
                  AttributeDefinitions:
                    - {AttributeName: pk, AttributeType: S}
                    - {AttributeName: sk, AttributeType: S}
                    - {AttributeName: gsi1pk, AttributeType: S}
                    - {AttributeName: gsi1sk, AttributeType: S}
                  KeySchema:
                    - {AttributeName: pk, KeyType: HASH}
                    - {AttributeName: sk, KeyType: RANGE}
                  GlobalSecondaryIndexes:
                    - IndexName: gsi1
                      KeySchema:
                        - {AttributeName: gsi1pk, KeyType: HASH}
                        - {AttributeName: gsi1sk, KeyType: RANGE}
                      Projection: {ProjectionType: ALL}
            """;

    static final String AFTER = BEFORE.replace("""
                    - {AttributeName: gsi1sk, AttributeType: S}
            """, """
                    - {AttributeName: gsi1sk, AttributeType: S}
                    - {AttributeName: gsi2pk, AttributeType: S}
                    - {AttributeName: gsi2sk, AttributeType: S}
            """) + """
                    - IndexName: gsi2
                      KeySchema:
                        - {AttributeName: gsi2pk, KeyType: HASH}
                        - {AttributeName: gsi2sk, KeyType: RANGE}
                      Projection: {ProjectionType: KEYS_ONLY}
            """;

    @Test
    void aKeptTableGainsTheIndexesTheTemplateAddedAndTheyHoldTheItemsAlreadyThere() {
        var endpoints = TestAws.get().endpoints();
        var dynamo = endpoints.dynamoDbClient();
        var provisioner = new Provisioner(dynamo, endpoints.sqsClient());
        String stack = "prov-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        var first = provisioner.provision(CloudFormationTemplate.parse(BEFORE), stack, endpoints.region());
        String table = first.table("Table").name();
        dynamo.putItem(b -> b.tableName(table).item(Map.of("pk", AttributeValue.fromS("RUN#1"),
                "sk", AttributeValue.fromS("RUN"), "gsi2pk", AttributeValue.fromS("ACTIVE#1"),
                "gsi2sk", AttributeValue.fromS("2026-05-28T17:04:12.000Z#0000000000000001"))));

        provisioner.provision(CloudFormationTemplate.parse(AFTER), stack, endpoints.region());
        var indexes = dynamo.describeTable(b -> b.tableName(table)).table().globalSecondaryIndexes();
        assertThat(indexes).extracting(i -> i.indexName()).containsExactlyInAnyOrder("gsi1", "gsi2");
        assertThat(indexes).allMatch(i -> i.indexStatus() == IndexStatus.ACTIVE);
        var found = dynamo.query(b -> b.tableName(table).indexName("gsi2").keyConditionExpression("gsi2pk = :p")
                .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("ACTIVE#1")))).items();
        assertThat(found).extracting(i -> i.get("pk").s()).containsExactly("RUN#1");

        provisioner.provision(CloudFormationTemplate.parse(AFTER), stack, endpoints.region());  // nothing to do
        assertThat(dynamo.describeTable(b -> b.tableName(table)).table().globalSecondaryIndexes()).hasSize(2);
    }
}
