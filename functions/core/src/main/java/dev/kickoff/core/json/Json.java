package dev.kickoff.core.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON configuration Kickoff uses for customer data: numbers keep their exact decimal value
 * (money is common in inputs), duplicate keys are rejected (they make a document ambiguous), and
 * nesting is bounded so a hostile body cannot exhaust the stack.
 *
 * <p>Customer JSON is read strictly, because whatever is accepted is stored and echoed: the bytes must be
 * UTF-8 as RFC 3629 defines it (no overlong forms such as {@code C0 AF} for {@code /}, no encoded surrogates,
 * nothing past U+10FFFF), strings and keys must not hold an unpaired surrogate ({@code "\ud800"} is not a
 * character, and would be written back as {@code ?}), and a number's magnitude is checked from its text
 * before it becomes a {@link BigDecimal}, whose exponent is an {@code int}. Every refusal is a
 * {@link KickoffException} in plain words: no parser class names, no echo of the number.
 */
public final class Json {
    public static final int MAX_NESTING_DEPTH = 64;

    /** Numbers in customer JSON stay within ±1e300 (double's range, nearly): beyond it they are refused. */
    public static final int MAX_EXPONENT = 300;

    /** Digits in one number (integer and fraction parts); longer numbers are refused. */
    public static final int MAX_NUMBER_DIGITS = 100;

    private static final ObjectMapper MAPPER = mapper(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxNumberLength(MAX_NUMBER_DIGITS)
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

    /**
     * Parses customer-supplied JSON; malformed input is a 400 with a reason in plain words, never a 500. The bytes
     * must be UTF-8 (RFC 8259 section 8.1): anything else is refused rather than decoded leniently.
     */
    public static JsonNode parse(byte[] body) {
        return parseText(strictUtf8(body));
    }

    /** Parses customer-supplied JSON text, as {@link #parse(byte[])} does after decoding. */
    public static JsonNode parse(String text) {
        return parseText(!text.isEmpty() && text.charAt(0) == '\uFEFF' ? text.substring(1) : text);
    }

    /**
     * Decodes UTF-8, refusing what Java's lenient paths and Jackson's byte parser let through: overlong forms, CESU-8
     * surrogates, code points past U+10FFFF, truncated sequences. A leading byte order mark is dropped (RFC 8259
     * lets a parser ignore it, and Jackson did).
     */
    private static String strictUtf8(byte[] body) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        CharBuffer out = CharBuffer.allocate(body.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new KickoffException(Reason.MALFORMED_JSON, "malformed JSON: the body is not valid UTF-8 (byte "
                    + in.position() + " starts an invalid sequence)");
        }
        out.flip();
        if (out.hasRemaining() && out.charAt(0) == '\uFEFF') {
            out.position(1);
        }
        return out.toString();
    }

    private static JsonNode parseText(String text) {
        try (JsonParser parser = MAPPER.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new KickoffException(Reason.MALFORMED_JSON, "the request body is empty");
            }
            JsonNode node = value(parser, first);
            if (parser.nextToken() != null) {
                throw malformed(parser.currentLocation(), "unexpected content after the JSON value");
            }
            return node;
        } catch (StreamConstraintsException e) {
            throw new KickoffException(Reason.MALFORMED_JSON, limitMessage(e));
        } catch (JsonProcessingException e) {
            throw malformed(e.getLocation(), plain(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Builds the tree from the token stream (Jackson's own builder would turn a huge exponent into a crash). */
    private static JsonNode value(JsonParser p, JsonToken token) throws IOException {
        if (token == null) {
            throw malformed(p.currentLocation(), "unexpected end of input");
        }
        return switch (token) {
            case START_OBJECT -> {
                ObjectNode object = MAPPER.createObjectNode();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                    String name = p.currentName();
                    if (unpairedSurrogate(name) >= 0) {
                        throw surrogate("a property name of the object at", p.getParsingContext().getParent());
                    }
                    object.set(name, value(p, p.nextToken()));
                }
                yield object;
            }
            case START_ARRAY -> {
                ArrayNode array = MAPPER.createArrayNode();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    array.add(value(p, t));
                }
                yield array;
            }
            case VALUE_STRING -> {
                String text = p.getText();
                if (unpairedSurrogate(text) >= 0) {
                    throw surrogate("the string at", p.getParsingContext());
                }
                yield MAPPER.getNodeFactory().textNode(text);
            }
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> MAPPER.getNodeFactory().numberNode(p.getIntValue());
                case LONG -> MAPPER.getNodeFactory().numberNode(p.getLongValue());
                default -> MAPPER.getNodeFactory().numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> decimal(p);
            case VALUE_TRUE -> MAPPER.getNodeFactory().booleanNode(true);
            case VALUE_FALSE -> MAPPER.getNodeFactory().booleanNode(false);
            case VALUE_NULL -> MAPPER.getNodeFactory().nullNode();
            default -> throw malformed(p.currentLocation(), "unexpected token " + token.name());
        };
    }

    /**
     * A number with a fraction or an exponent, kept exact. Its magnitude is read from the text first: a
     * {@link BigDecimal}'s scale is an {@code int}, so {@code 1e-2147483648} cannot even be constructed, and
     * {@code 1e999999999} could be but would print a billion digits. A zero with an absurd exponent is zero.
     */
    private static JsonNode decimal(JsonParser p) throws IOException {
        String text = p.getText();
        int e = Math.max(text.indexOf('e'), text.indexOf('E'));
        String mantissa = e < 0 ? text : text.substring(0, e);
        long exponent = e < 0 ? 0 : exponent(text, e + 1);
        int point = mantissa.indexOf('.');
        int firstDigit = -1;
        for (int i = 0; i < mantissa.length(); i++) {
            char c = mantissa.charAt(i);
            if (c >= '1' && c <= '9') {
                firstDigit = i;
                break;
            }
        }
        if (firstDigit < 0) {
            boolean inRange = Math.abs(exponent) <= MAX_EXPONENT;
            return DecimalNode.valueOf(inRange ? new BigDecimal(text) : BigDecimal.ZERO);
        }
        int intEnd = point < 0 ? mantissa.length() : point;
        // The power of ten of the first significant digit, as written before the exponent applies.
        long lead = firstDigit < intEnd ? intEnd - firstDigit - 1 : -(firstDigit - intEnd);
        long magnitude = lead + exponent;
        if (magnitude > MAX_EXPONENT || magnitude < -MAX_EXPONENT) {
            throw outOfRange(pointer(p));
        }
        return DecimalNode.valueOf(new BigDecimal(text));
    }

    /** The exponent's value, saturated far beyond any range Kickoff accepts (it may have billions of digits). */
    private static long exponent(String text, int from) {
        boolean negative = false;
        int i = from;
        if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        long value = 0;
        for (; i < text.length(); i++) {
            value = Math.min(value * 10 + (text.charAt(i) - '0'), 1_000_000_000_000L);
        }
        return negative ? -value : value;
    }

    private static KickoffException outOfRange(String pointer) {
        return new KickoffException(Reason.INVALID_REQUEST, "the number at " + (pointer.isEmpty() ? "/" : pointer)
                + " is out of range: its magnitude must be between 1e-" + MAX_EXPONENT + " and 1e" + MAX_EXPONENT);
    }

    private static String pointer(JsonParser p) {
        return p.getParsingContext().pathAsPointer().toString();
    }

    /** Names where, never what: the offending text is not a character, and would not print as one. */
    private static KickoffException surrogate(String what, JsonStreamContext context) {
        String at = context.pathAsPointer().toString();
        return new KickoffException(Reason.MALFORMED_JSON, "malformed JSON: " + what + " "
                + (at.isEmpty() ? "/" : at) + " holds an unpaired UTF-16 surrogate (such as \\ud800), which is not a character");
    }

    /** Index of the first unpaired surrogate in {@code s}, or -1. */
    static int unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    private static KickoffException malformed(JsonLocation location, String reason) {
        String where = location == null || location.getLineNr() < 1 ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        return new KickoffException(Reason.MALFORMED_JSON, "malformed JSON" + where + ": " + reason);
    }

    /** One of the parser's size limits, in the API's words rather than the parser's (which name its classes). */
    private static String limitMessage(StreamConstraintsException e) {
        String m = String.valueOf(e.getOriginalMessage()).toLowerCase(java.util.Locale.ROOT);
        if (m.contains("nesting depth")) {
            return "malformed JSON: it nests deeper than " + MAX_NESTING_DEPTH + " levels";
        }
        if (m.contains("number")) {
            return "malformed JSON: a number has more than " + MAX_NUMBER_DIGITS + " digits";
        }
        if (m.contains("name")) {
            return "malformed JSON: a property name is too long";
        }
        if (m.contains("string")) {
            return "malformed JSON: a string is too long";
        }
        return "malformed JSON: the document is over a size limit";
    }

    /**
     * The parser's reason without what only concerns its implementation: the location of an opening marker (which
     * quotes the source), and hints naming parser features ({@code enable `JsonReadFeature...`}).
     */
    static String plain(String message) {
        if (message == null || message.isBlank()) {
            return "not valid JSON";
        }
        String m = message;
        int newline = m.indexOf('\n');
        if (newline >= 0) {
            m = m.substring(0, newline);
        }
        int marker = m.indexOf(" (start marker");
        if (marker >= 0) {
            m = m.substring(0, marker);
        }
        int tick = m.indexOf('`');
        if (tick >= 0) {
            int cut = Math.max(m.lastIndexOf(':', tick), Math.max(m.lastIndexOf(';', tick), m.lastIndexOf(',', tick)));
            m = cut > 0 ? m.substring(0, cut) : "not valid JSON";
        }
        m = m.strip();
        return m.length() > 200 ? m.substring(0, 200) + "…" : m;
    }

    /** True when the number is zero or its magnitude is within ±{@link #MAX_EXPONENT} orders. */
    public static boolean inRange(BigDecimal value) {
        if (value.signum() == 0) {
            return true;
        }
        long exponent = (long) value.precision() - value.scale() - 1;
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
