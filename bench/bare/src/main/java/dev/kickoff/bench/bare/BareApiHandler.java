package dev.kickoff.bench.bare;

import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The cold-start baseline: {@code POST /api/external/v1/workflows/{id}/runs} with no framework at all, making the
 * same AWS calls as the API function with the same SDK and HTTP client (URLConnection): one consistent GetItem
 * for the token's hash, one consistent GetItem for the workflow head, the execute limit (the organization's own
 * limit, read once a minute per instance, and the token's per-minute counter, one conditional ADD), one
 * conditional PutItem for the run with its active-runs index entry, one SendMessage. Key layout as in
 * docs/data-model.md. It validates only what it must to make those calls; it is a
 * yardstick, not a second implementation, and is never deployed.
 */
public final class BareApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final String PREFIX = "/api/external/v1/workflows/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String table = System.getenv("KICKOFF_TABLE");
    private final String queueUrl = System.getenv("KICKOFF_RUNS_QUEUE_URL");
    private final DynamoDbClient dynamo = DynamoDbClient.builder().httpClientBuilder(http()).build();
    private final SqsClient sqs = SqsClient.builder().httpClientBuilder(http()).build();
    private final SecureRandom random = new SecureRandom();
    private static final int DEFAULT_LIMIT = 500;
    private static final DateTimeFormatter SORTABLE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private long limitOrg = -1;
    private int limit;
    private long limitReadAt;

    private static UrlConnectionHttpClient.Builder http() {
        return UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(10));
    }

    /** The same priming as the API function's SnapStart hook: one token lookup that misses; returns 401. */
    public int prime() {
        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setRawPath("/api/external/v1/workflows/1/runs");
        event.setHeaders(Map.of("authorization", "Bearer api_never-issued-" + System.nanoTime()));
        event.setBody("{\"input\":{\"priming\":true}}");
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod("POST");
        APIGatewayV2HTTPEvent.RequestContext request = new APIGatewayV2HTTPEvent.RequestContext();
        request.setHttp(http);
        event.setRequestContext(request);
        return handleRequest(event, null).getStatusCode();
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        String path = event.getRawPath();
        String method = event.getRequestContext().getHttp().getMethod();
        if (!"POST".equals(method) || !path.startsWith(PREFIX) || !path.endsWith("/runs")) {
            return answer(404, "{\"error\":\"not found\"}");
        }
        long workflowId;
        try {
            workflowId = Long.parseLong(path.substring(PREFIX.length(), path.length() - "/runs".length()));
        } catch (NumberFormatException e) {
            return answer(404, "{\"error\":\"workflow not found\"}");
        }
        String authorization = event.getHeaders() == null ? null : event.getHeaders().get("authorization");
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return answer(401, "{\"error\":\"missing API token\"}");
        }
        Map<String, AttributeValue> token = get("TOKENHASH#" + sha256(authorization.substring(7)), "TOKENHASH");
        if (token == null || !"api".equals(token.get("scope").s())) {
            return answer(401, "{\"error\":\"invalid API token\"}");
        }
        long orgId = Long.parseLong(token.get("org_id").n());
        Map<String, AttributeValue> head = get("ORG#" + orgId, "WF#" + String.format("%016d", workflowId));
        if (head == null || !head.containsKey("published_version")) {
            return answer(404, "{\"error\":\"workflow not found\"}");
        }
        if (!withinLimit(orgId, token.get("token_id").n())) {
            return answer(429, "{\"error\":\"rate limited\"}");
        }
        JsonNode input;
        try {
            JsonNode body = event.getBody() == null || event.getBody().isBlank() ? null : JSON.readTree(event.getBody());
            input = body == null || body.get("input") == null ? JSON.createObjectNode() : body.get("input");
        } catch (Exception e) {
            return answer(400, "{\"error\":\"malformed JSON\"}");
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long runId = (now.toEpochMilli() << 12) | random.nextInt(1 << 12);
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", AttributeValue.fromS("RUN#" + runId));
        item.put("sk", AttributeValue.fromS("RUN"));
        item.put("type", AttributeValue.fromS("run"));
        item.put("run_id", AttributeValue.fromN(Long.toString(runId)));
        item.put("org_id", AttributeValue.fromN(Long.toString(orgId)));
        item.put("workflow_id", AttributeValue.fromN(Long.toString(workflowId)));
        item.put("workflow_version", head.get("published_version"));
        item.put("trigger_id", token.get("token_id"));
        item.put("input", AttributeValue.fromS(input.toString()));
        item.put("status", AttributeValue.fromS("pending"));
        item.put("created_at", AttributeValue.fromS(now.toString()));
        item.put("updated_at", AttributeValue.fromS(now.toString()));
        item.put("steps", AttributeValue.fromS("[]"));
        item.put("attempts", AttributeValue.fromN("0"));
        item.put("gsi2pk", AttributeValue.fromS("ACTIVE#" + Math.floorMod(runId, 64L)));
        item.put("gsi2sk", AttributeValue.fromS(SORTABLE.format(now) + "#" + String.format("%016d", runId)));
        dynamo.putItem(PutItemRequest.builder().tableName(table).item(item)
                .conditionExpression("attribute_not_exists(pk)").build());
        sqs.sendMessage(SendMessageRequest.builder().queueUrl(queueUrl)
                .messageBody("{\"run_id\":" + runId + ",\"org_id\":" + orgId + "}").build());

        ObjectNode run = JSON.createObjectNode();
        run.put("id", runId);
        run.put("workflow_id", workflowId);
        run.put("status", "pending");
        run.set("input", input);
        run.put("created_at", now.toString());
        ObjectNode response = JSON.createObjectNode();
        response.set("workflow_run", run);
        return answer(201, response.toString());
    }

    /** The organization's limit (cached a minute) and one conditional ADD on the token's counter for this minute. */
    private boolean withinLimit(long orgId, String tokenId) {
        long nowMillis = System.currentTimeMillis();
        if (orgId != limitOrg || nowMillis - limitReadAt > 60_000) {
            Map<String, AttributeValue> org = dynamo.getItem(GetItemRequest.builder().tableName(table)
                    .key(Map.of("pk", AttributeValue.fromS("ORG#" + orgId), "sk", AttributeValue.fromS("ORG")))
                    .projectionExpression("execute_rate_limit_per_minute").build()).item();
            AttributeValue own = org == null ? null : org.get("execute_rate_limit_per_minute");
            limit = own == null ? DEFAULT_LIMIT : Integer.parseInt(own.n());
            limitOrg = orgId;
            limitReadAt = nowMillis;
        }
        long windowSeconds = nowMillis / 60_000 * 60;
        try {
            dynamo.updateItem(UpdateItemRequest.builder().tableName(table)
                    .key(Map.of("pk", AttributeValue.fromS("RATE#" + tokenId + "#" + windowSeconds),
                            "sk", AttributeValue.fromS("RATE")))
                    .updateExpression("SET #type = if_not_exists(#type, :type), "
                            + "expires_at = if_not_exists(expires_at, :expires) ADD #count :one")
                    .conditionExpression("attribute_not_exists(#count) OR #count < :limit")
                    .expressionAttributeNames(Map.of("#type", "type", "#count", "count"))
                    .expressionAttributeValues(Map.of(":type", AttributeValue.fromS("rate_limit"),
                            ":expires", AttributeValue.fromN(Long.toString(windowSeconds + 120)),
                            ":one", AttributeValue.fromN("1"),
                            ":limit", AttributeValue.fromN(Integer.toString(limit))))
                    .returnValues(ReturnValue.UPDATED_NEW).build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private Map<String, AttributeValue> get(String pk, String sk) {
        Map<String, AttributeValue> item = dynamo.getItem(GetItemRequest.builder().tableName(table)
                .key(Map.of("pk", AttributeValue.fromS(pk), "sk", AttributeValue.fromS(sk)))
                .consistentRead(true).build()).item();
        return item == null || item.isEmpty() ? null : item;
    }

    private static String sha256(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static APIGatewayV2HTTPResponse answer(int status, String body) {
        return APIGatewayV2HTTPResponse.builder().withStatusCode(status)
                .withHeaders(Map.of("Content-Type", "application/json")).withBody(body).build();
    }
}
