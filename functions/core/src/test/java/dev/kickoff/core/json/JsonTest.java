package dev.kickoff.core.json;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class JsonTest {
    private static KickoffException refusal(byte[] body) {
        var e = catchThrowableOfType(KickoffException.class, () -> Json.parse(body));
        assertThat(e).as(new String(body, StandardCharsets.ISO_8859_1)).isNotNull();
        return e;
    }

    private static KickoffException refusal(String body) {
        return refusal(body.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    /** Exponents past an int (BigDecimal's scale) used to escape as a NumberFormatException: a 500 with the value logged. */
    @ParameterizedTest
    @ValueSource(strings = {"{\"input\":{\"a\":1e-2147483648}}", "{\"input\":{\"a\":1e99999999999}}",
            "{\"input\":{\"a\":0.1e-2147483648}}", "{\"input\":{\"a\":-1E+2147483648}}",
            "{\"input\":{\"a\":12.5e-9999999999999999999999999}}"})
    void exponentsBeyondAnIntAreOutOfRangeNotACrash(String body) {
        var e = refusal(body);
        assertThat(e.reason()).isEqualTo(Reason.INVALID_REQUEST);
        assertThat(e.getMessage()).isEqualTo("the number at /input/a is out of range: its magnitude must be between 1e-300 and 1e300");
    }

    @Test
    void aZeroWithAnAbsurdExponentIsZero() {
        assertThat(Json.write(Json.parse("{\"a\": 0e-2147483648, \"b\": -0.0E99999999999, \"c\": 0e-5}")))
                .isEqualTo("{\"a\":0,\"b\":0,\"c\":0.00000}");
    }

    @Test
    void theLimitsOfTheRangeAreExact() {
        assertThat(Json.parse("[1e300, 9.99e300, 1e-300, -0.00123e-297, 15e299]").size()).isEqualTo(5);
        for (String body : new String[]{"[1e301]", "[10e300]", "[0.1e-300]", "[-0.00123e-298]", "[1" + "0".repeat(30) + "e271]"}) {
            assertThat(refusal(body).getMessage()).as(body).contains("out of range").contains("/0");
        }
    }

    /** Overlong forms, encoded surrogates and code points past U+10FFFF used to be decoded (C0 AF became '/'). */
    @Test
    void invalidUtf8IsRefusedNotRepaired() {
        byte[][] bodies = {
                bytes('"', '.', '.', 0xc0, 0xaf, '"'),              // overlong '/'
                bytes('"', 0xe0, 0x80, 0xaf, '"'),                  // overlong '/', three bytes
                bytes('"', 0xed, 0xa0, 0x80, '"'),                  // CESU-8 high surrogate
                bytes('"', 0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80, '"'), // CESU-8 pair
                bytes('"', 0xf4, 0x90, 0x80, 0x80, '"'),            // past U+10FFFF
                bytes('"', 0xff, '"'),
                bytes('"', 0xc3, '"'),                              // truncated
                bytes('{', '"', 0xc0, 0xaf, '"', ':', '1', '}'),    // in a key
        };
        for (byte[] body : bodies) {
            var e = refusal(body);
            assertThat(e.reason()).isEqualTo(Reason.MALFORMED_JSON);
            assertThat(e.getMessage()).startsWith("malformed JSON: the body is not valid UTF-8");
        }
        assertThat(Json.parse(bytes('"', 0xf0, 0x9f, 0x98, 0x80, 0xc3, 0xa9, '"')).textValue()).isEqualTo("😀é");
        assertThat(Json.parse(bytes(0xef, 0xbb, 0xbf, '{', '}')).isObject()).isTrue();
    }

    @Test
    void escapedLoneSurrogatesAreRefusedInStringsAndKeys() {
        assertThat(refusal("{\"a\": \"x\\ud800\"}").getMessage())
                .isEqualTo("malformed JSON: the string at /a holds an unpaired UTF-16 surrogate (such as \\ud800),"
                        + " which is not a character");
        assertThat(refusal("[\"\\udc00\\ud800\"]").reason()).isEqualTo(Reason.MALFORMED_JSON);
        assertThat(refusal("{\"a\": {\"\\ud800\": 1}}").getMessage()).contains("a property name of the object at /a ");
        assertThat(catchThrowableOfType(KickoffException.class, () -> Json.parse("{\"a\": \"\ud800\"}")).reason())
                .isEqualTo(Reason.MALFORMED_JSON);
        assertThat(Json.parse("\"\\ud83d\\ude00\"").textValue()).isEqualTo("😀");
    }

    @Test
    void refusalsSpeakPlainWordsNotParserInternals() {
        String nested = "[".repeat(Json.MAX_NESTING_DEPTH + 1) + "]".repeat(Json.MAX_NESTING_DEPTH + 1);
        String[] bodies = {nested, "[" + "1".repeat(101) + "]", "{\"a\": NaN}", "{\"a\": 1", "{\"a\": 1}x",
                "{\"a\": 1, \"a\": 2}", "{'a': 1}", "[01]", "\"\\x\""};
        for (String body : bodies) {
            var e = refusal(body);
            assertThat(e.reason()).as(body).isEqualTo(Reason.MALFORMED_JSON);
            assertThat(e.getMessage()).as(body).startsWith("malformed JSON").doesNotContain("`", "Constraints",
                    "com.fasterxml", "jackson", "Source", "REDACTED", "BigDecimal", "java.");
        }
        assertThat(refusal(nested).getMessage()).isEqualTo("malformed JSON: it nests deeper than 64 levels");
        assertThat(refusal("{\"a\": 1, \"a\": 2}").getMessage()).contains("line 1").contains("Duplicate field 'a'");
    }
    @Test
    void numbersAreKeptExactlyAsSent() {
        assertThat(Json.write(Json.parse("{\"a\": 12.50, \"b\": 12345678901234567890, \"c\": 1e101}")))
                .isEqualTo("{\"a\":12.50,\"b\":12345678901234567890,\"c\":1" + "0".repeat(101) + "}");
    }

    @Test
    void numbersBeyondTheRangeAreRefusedWithTheirPointer() {
        for (String body : new String[]{"{\"x\": 1e999999999}", "{\"a\": [1, {\"b\": -1e301}]}", "{\"x\": 1e-400}"}) {
            var e = catchThrowableOfType(KickoffException.class, () -> Json.parse(body));
            assertThat(e.reason()).as(body).isEqualTo(Reason.INVALID_REQUEST);
            assertThat(e.getMessage()).contains("out of range");
        }
        assertThat(catchThrowableOfType(KickoffException.class, () -> Json.parse("{\"a\": [1, {\"b\": -1e301}]}"))
                .getMessage()).contains("/a/1/b");
        assertThat(Json.parse("{\"x\": 1e300, \"y\": -1e-300, \"z\": 0e-999}").isObject()).isTrue();
    }

    @Test
    void whatKickoffWroteItCanAlwaysReadBack() {
        // A run nests its input a few levels deeper than it arrived, and writes bounded numbers in full.
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < Json.MAX_NESTING_DEPTH - 1; i++) {
            deep.append("{\"a\":");
        }
        deep.append("1e300").append("}".repeat(Json.MAX_NESTING_DEPTH - 1));
        JsonNode input = Json.parse(deep.toString());
        String stored = Json.write(Json.array().add(Json.object().set("input", Json.object().set("x", input))));
        JsonNode back = Json.read(stored).get(0).get("input").get("x");
        for (int i = 0; i < Json.MAX_NESTING_DEPTH - 1; i++) {
            back = back.get("a");
        }
        assertThat(back.decimalValue()).isEqualByComparingTo("1e300");
    }
}
