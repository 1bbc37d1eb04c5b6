package dev.kickoff.core.json;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class JsonTest {
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
