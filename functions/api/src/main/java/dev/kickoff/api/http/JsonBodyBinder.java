package dev.kickoff.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.ServerHttpRequest;
import io.micronaut.http.bind.binders.TypedRequestArgumentBinder;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Optional;

/**
 * The one way a request body is read: every endpoint that takes a body declares a {@link JsonBody} parameter.
 * Checked in order, each a refusal in the caller's error shape: a media type that is not JSON (415), more than
 * {@value #MAX_BODY_BYTES} bytes (413, before anything is parsed), malformed JSON, duplicate keys or nesting
 * deeper than {@value Json#MAX_NESTING_DEPTH} (400, Kickoff's parser), a body that is {@code null} or not an
 * object (400). Controllers declare {@code @Consumes(MediaType.ALL)} so that Micronaut leaves the body to this
 * binder: its own readers would refuse by content type, in their words, before Kickoff could answer.
 */
@Singleton
final class JsonBodyBinder implements TypedRequestArgumentBinder<JsonBody> {
    /** Larger bodies are refused with 413 before they are parsed. SQS and Step Functions cap payloads alike. */
    static final int MAX_BODY_BYTES = 256 * 1024;
    static final String MEDIA_TYPE_MESSAGE = "the request body must be JSON (Content-Type: application/json, UTF-8)";

    @Override
    public Argument<JsonBody> argumentType() {
        return Argument.of(JsonBody.class);
    }

    @Override
    public BindingResult<JsonBody> bind(ArgumentConversionContext<JsonBody> context, HttpRequest<?> source) {
        JsonBody body = read(source);
        return () -> Optional.of(body);
    }

    static JsonBody read(HttpRequest<?> request) {
        byte[] bytes = bytes(request);
        if (isBlank(bytes)) {
            return JsonBody.ABSENT;
        }
        requireJson(request);
        JsonNode node = Json.parse(bytes);
        if (!node.isObject()) {
            throw new KickoffException(Reason.INVALID_REQUEST, "the request body must be a JSON object"
                    + (node.isNull() ? ", not null" : ""));
        }
        return new JsonBody((ObjectNode) node, true);
    }

    /**
     * JSON, or no Content-Type at all, or {@code application/x-www-form-urlencoded}: what {@code curl -d} sends
     * when the caller forgot the header, with a JSON body. Any charset but UTF-8 is refused, not guessed at.
     */
    private static void requireJson(HttpRequest<?> request) {
        Optional<MediaType> type;
        try {
            type = request.getContentType();
        } catch (RuntimeException e) {
            throw new KickoffException(Reason.UNSUPPORTED_MEDIA_TYPE, MEDIA_TYPE_MESSAGE);
        }
        if (type.isEmpty()) {
            return;
        }
        MediaType media = type.get();
        String subtype = media.getSubtype().toLowerCase(Locale.ROOT);
        boolean json = media.getType().equalsIgnoreCase("application")
                && (subtype.equals("json") || subtype.endsWith("+json") || subtype.equals("x-www-form-urlencoded"));
        String charset = media.getParameters().get("charset").orElse(null);
        boolean utf8 = charset == null || charset.replace("\"", "").strip().equalsIgnoreCase("utf-8")
                || charset.replace("\"", "").strip().equalsIgnoreCase("utf8");
        if (!json || !utf8) {
            throw new KickoffException(Reason.UNSUPPORTED_MEDIA_TYPE, MEDIA_TYPE_MESSAGE);
        }
    }

    /** The raw body, empty when there is none; 413 when over the limit, declared or not. */
    private static byte[] bytes(HttpRequest<?> request) {
        if (request.getContentLength() > MAX_BODY_BYTES) {
            throw tooLarge();
        }
        if (!(request instanceof ServerHttpRequest<?> server)) {
            return request.getBody(byte[].class).orElse(new byte[0]);
        }
        try (InputStream in = server.byteBody().split().toInputStream()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw tooLarge();
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KickoffException tooLarge() {
        return new KickoffException(Reason.PAYLOAD_TOO_LARGE,
                "the request body is larger than " + MAX_BODY_BYTES + " bytes");
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
