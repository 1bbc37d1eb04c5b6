package dev.kickoff.emulators;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;

/**
 * Where the AWS APIs are, for this process. {@link #install()} points every SDK client built afterwards at
 * them through the SDK's own system properties, so Lambda handler code runs unchanged against the emulators.
 */
public record AwsEndpoints(URI dynamoDb, URI sqs, String region, String accessKey, String secretKey) {

    public static AwsEndpoints local(URI dynamoDb, URI sqs) {
        // DynamoDB Local 2.x wants an alphanumeric access key id; the values themselves are never checked.
        return new AwsEndpoints(dynamoDb, sqs, LocalSqs.REGION, "kickofflocal", "kickofflocal");
    }

    public void install() {
        System.setProperty("aws.endpointUrlDynamoDb", dynamoDb.toString());
        System.setProperty("aws.endpointUrlDynamoDbStreams", dynamoDb.toString());
        System.setProperty("aws.endpointUrlSqs", sqs.toString());
        System.setProperty("aws.region", region);
        System.setProperty("aws.accessKeyId", accessKey);
        System.setProperty("aws.secretAccessKey", secretKey);
    }

    private StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
    }

    public DynamoDbClient dynamoDbClient() {
        return DynamoDbClient.builder().endpointOverride(dynamoDb).region(Region.of(region))
                .credentialsProvider(credentials()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    public DynamoDbStreamsClient streamsClient() {
        return DynamoDbStreamsClient.builder().endpointOverride(dynamoDb).region(Region.of(region))
                .credentialsProvider(credentials()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    public SqsClient sqsClient() {
        return SqsClient.builder().endpointOverride(sqs).region(Region.of(region))
                .credentialsProvider(credentials()).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }
}
