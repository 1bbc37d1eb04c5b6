package dev.kickoff.emulators;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Builds the event an API Gateway HTTP API (payload format 2.0) hands a Lambda integration for one request:
 * lower-cased headers with repeated values joined by commas, cookies apart, the raw path and query string,
 * and a body that is base64-encoded unless it is valid UTF-8 text.
 */
public final class HttpApiEvents {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private HttpApiEvents() {
    }

    public static APIGatewayV2HTTPEvent request(String method, String pathAndQuery, Map<String, List<String>> headers,
                                                byte[] body, String sourceIp) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String query = q < 0 ? "" : pathAndQuery.substring(q + 1);

        Map<String, String> joined = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        headers.forEach((name, values) -> {
            String key = name.toLowerCase(Locale.ROOT);
            if (key.equals("cookie")) {
                for (String v : values) {
                    for (String c : v.split(";")) {
                        cookies.add(c.strip());
                    }
                }
            } else {
                joined.merge(key, String.join(",", values), (a, b) -> a + "," + b);
            }
        });
        String host = joined.getOrDefault("host", "localhost");

        APIGatewayV2HTTPEvent event = new APIGatewayV2HTTPEvent();
        event.setVersion("2.0");
        event.setRouteKey("ANY /{proxy+}");
        event.setRawPath(path);
        event.setRawQueryString(query);
        event.setHeaders(joined);
        event.setCookies(cookies.isEmpty() ? null : cookies);
        event.setQueryStringParameters(query.isEmpty() ? null : queryParameters(query));
        event.setPathParameters(Map.of("proxy", path.startsWith("/") ? path.substring(1) : path));

        APIGatewayV2HTTPEvent.RequestContext context = new APIGatewayV2HTTPEvent.RequestContext();
        context.setAccountId(LocalSqs.ACCOUNT);
        context.setApiId("local");
        context.setDomainName(host);
        context.setDomainPrefix(host.split("[.:]")[0]);
        context.setRequestId(UUID.randomUUID().toString());
        context.setRouteKey("ANY /{proxy+}");
        context.setStage("$default");
        Instant now = Instant.now();
        context.setTimeEpoch(now.toEpochMilli());
        context.setTime(TIME.format(now));
        APIGatewayV2HTTPEvent.RequestContext.Http http = new APIGatewayV2HTTPEvent.RequestContext.Http();
        http.setMethod(method.toUpperCase(Locale.ROOT));
        http.setPath(path);
        http.setProtocol("HTTP/1.1");
        http.setSourceIp(sourceIp);
        http.setUserAgent(joined.getOrDefault("user-agent", ""));
        context.setHttp(http);
        event.setRequestContext(context);

        if (body != null && body.length > 0) {
            String text = utf8(body);
            if (text != null) {
                event.setBody(text);
                event.setIsBase64Encoded(false);
            } else {
                event.setBody(Base64.getEncoder().encodeToString(body));
                event.setIsBase64Encoded(true);
            }
        }
        return event;
    }

    private static Map<String, String> queryParameters(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            params.merge(k, v, (a, b) -> a + "," + b);
        }
        return params;
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
