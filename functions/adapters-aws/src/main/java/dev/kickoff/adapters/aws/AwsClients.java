package dev.kickoff.adapters.aws;

import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.time.Duration;

/**
 * Builds the SDK clients every function uses. Region and credentials come from the Lambda environment;
 * endpoints can be redirected to the emulators with the SDK's own settings ({@code AWS_ENDPOINT_URL_DYNAMODB},
 * {@code aws.endpointUrlDynamoDb}, likewise for SQS), so production code has no emulator switch of its own.
 */
public final class AwsClients {
    private AwsClients() {
    }

    private static UrlConnectionHttpClient.Builder http() {
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(10));
    }

    public static DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().httpClientBuilder(http()).build();
    }

    public static SqsClient sqs() {
        return SqsClient.builder().httpClientBuilder(http()).build();
    }

    /** Connection secrets (envelope encryption); redirected like the others with {@code AWS_ENDPOINT_URL_KMS}. */
    public static KmsClient kms() {
        return KmsClient.builder().httpClientBuilder(http()).build();
    }
}
