package dev.kickoff.emulators.testing;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kickoff.emulators.HttpApiEvents;
import dev.kickoff.emulators.LocalLambdaContext;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Sends HTTP API (payload 2.0) events to an API handler, as API Gateway would, and reads the answers. */
public final class LambdaHttp {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler;
    private final String host;

    public LambdaHttp(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> handler, String host) {
        this.handler = handler;
        this.host = host;
    }

    public record Response(int status, Map<String, String> headers, String body) {
        public JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }

        public String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue();
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** A request; {@code headers} alternate names and values: {@code "Authorization", "Bearer api_…"}. */
    public Response send(String method, String path, String body, String... headers) {
        return send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), headers);
    }

    public Response send(String method, String path, byte[] body, String... headers) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        map.put("host", List.of(host));
        map.put("x-forwarded-proto", List.of("https"));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            map.computeIfAbsent(headers[i], k -> new ArrayList<>()).add(headers[i + 1]);
        }
        if (body != null && map.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("content-type"))) {
            map.put("content-type", List.of("application/json"));
        }
        if (body != null) {
            map.put("content-length", List.of(Integer.toString(body.length)));
        }
        APIGatewayV2HTTPEvent event = HttpApiEvents.request(method, path, map, body, "203.0.113.7");
        APIGatewayV2HTTPResponse response = handler.handleRequest(event,
                new LocalLambdaContext("ApiFunction", 1024, 10));
        String text = response.getBody();
        if (text != null && response.getIsBase64Encoded()) {
            text = new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
        }
        Map<String, String> responseHeaders = new LinkedHashMap<>();
        if (response.getHeaders() != null) {
            responseHeaders.putAll(response.getHeaders());
        }
        if (response.getMultiValueHeaders() != null) {
            response.getMultiValueHeaders().forEach((k, v) -> responseHeaders.putIfAbsent(k, String.join(",", v)));
        }
        return new Response(response.getStatusCode(), responseHeaders, text);
    }

    public Response get(String path, String token) {
        return send("GET", path, (byte[]) null, "Authorization", "Bearer " + token);
    }

    public Response post(String path, String token, String body) {
        return send("POST", path, body, "Authorization", "Bearer " + token);
    }
}
