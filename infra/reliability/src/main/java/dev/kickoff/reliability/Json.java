package dev.kickoff.reliability;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON as a client reads it: answers are parsed whatever their numbers (exact decimals), and a body that is not JSON
 * is a {@link MissingNode}, never an exception, so a broken answer becomes a figure rather than a crash of the suite.
 */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(64 * 1024 * 1024).maxNestingDepth(200_000).maxNumberLength(1_000_000).build());
        MAPPER.getFactory().setStreamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(200_000).build());
    }

    private Json() {
    }

    static JsonNode read(String text) {
        if (text == null || text.isEmpty()) {
            return MissingNode.getInstance();
        }
        try {
            JsonNode node = MAPPER.readTree(text);
            return node == null ? MissingNode.getInstance() : node;
        } catch (IOException | RuntimeException e) {
            return MissingNode.getInstance();  // e.g. an exponent no BigDecimal holds: not JSON the suite can read
        }
    }

    static JsonNode read(byte[] bytes) {
        return read(new String(bytes, StandardCharsets.UTF_8));
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** Parses a definition or body written in this code (it is valid JSON by construction). */
    static ObjectNode parse(String text) {
        try {
            return (ObjectNode) MAPPER.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + text, e);
        }
    }
}
