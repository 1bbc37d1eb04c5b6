package dev.kickoff.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.json.Json;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;

/** Responses serialized with Kickoff's own JSON settings (exact decimals, as the core computed them). */
public final class JsonResponses {
    private JsonResponses() {
    }

    public static MutableHttpResponse<String> json(HttpStatus status, JsonNode body) {
        return HttpResponse.<String>status(status).contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(Json.write(body));
    }

    public static MutableHttpResponse<String> ok(JsonNode body) {
        return json(HttpStatus.OK, body);
    }

    public static MutableHttpResponse<String> created(JsonNode body) {
        return json(HttpStatus.CREATED, body);
    }
}
