package dev.kickoff.core.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;

import java.io.IOException;
import java.math.BigDecimal;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON configuration Kickoff uses for customer data: numbers keep their exact decimal value
 * (money is common in inputs), duplicate keys are rejected (they make a document ambiguous), and
 * nesting is bounded so a hostile body cannot exhaust the stack.
 */
public final class Json {
    public static final int MAX_NESTING_DEPTH = 64;

    /** Numbers in customer JSON stay within ±1e300 (double's range, nearly): beyond it they are refused. */
    public static final int MAX_EXPONENT = 300;

    private static final ObjectMapper MAPPER = mapper(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxNumberLength(100)
            .build());

    /**
     * For documents Kickoff stored itself (a run with its steps nests its input deeper than it arrived, and a
     * bounded number may be written in full): the limits of customer input do not apply to reading them back.
     */
    private static final ObjectMapper STORED = mapper(StreamReadConstraints.builder()
            .maxNestingDepth(1000)
            .maxNumberLength(1000)
            .build());

    private static ObjectMapper mapper(StreamReadConstraints constraints) {
        ObjectMapper mapper = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            // Keep 12.50 as 12.50: the API echoes input exactly as it was sent.
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
        mapper.getFactory().setStreamReadConstraints(constraints);
        return mapper;
    }

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static JsonNodeFactory nodes() {
        return MAPPER.getNodeFactory();
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** Parses customer-supplied JSON; malformed input is a 400 with the parser's reason, never a 500. */
    public static JsonNode parse(byte[] body) {
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new KickoffException(Reason.MALFORMED_JSON, "the request body is empty");
            }
            checkNumbers(node, "");
            return node;
        } catch (JsonProcessingException e) {
            throw new KickoffException(Reason.MALFORMED_JSON, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode parse(String text) {
        return parse(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Refuses numbers whose magnitude is beyond {@link #MAX_EXPONENT}: {@code 1e999999999} is valid JSON, but
     * writing it out, or rounding it, would take a billion digits.
     */
    private static void checkNumbers(JsonNode node, String pointer) {
        if (node.isBigDecimal()) {
            if (!inRange(node.decimalValue())) {
                throw new KickoffException(Reason.INVALID_REQUEST, "the number at " + (pointer.isEmpty() ? "/" : pointer)
                        + " is out of range: its magnitude must be between 1e-" + MAX_EXPONENT + " and 1e" + MAX_EXPONENT);
            }
        } else if (node.isContainerNode()) {
            if (node.isObject()) {
                node.fields().forEachRemaining(f -> checkNumbers(f.getValue(),
                        pointer + "/" + f.getKey().replace("~", "~0").replace("/", "~1")));
            } else {
                for (int i = 0; i < node.size(); i++) {
                    checkNumbers(node.get(i), pointer + "/" + i);
                }
            }
        }
    }

    /** True when the number is zero or its magnitude is within ±{@link #MAX_EXPONENT} orders. */
    public static boolean inRange(BigDecimal value) {
        if (value.signum() == 0) {
            return true;
        }
        int exponent = value.precision() - value.scale() - 1;
        return exponent <= MAX_EXPONENT && exponent >= -MAX_EXPONENT;
    }

    /** Parses JSON that Kickoff itself stored; a failure here is a bug, not bad input. */
    public static JsonNode read(String stored) {
        if (stored == null) {
            return null;
        }
        try {
            return STORED.readTree(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable", e);
        }
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize JSON", e);
        }
    }

    public static byte[] writeBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize JSON", e);
        }
    }

    /** Size in bytes of the node's compact UTF-8 encoding. */
    public static int sizeOf(JsonNode node) {
        return node == null ? 0 : writeBytes(node).length;
    }

    public static boolean isNull(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }
}
