package dev.kickoff.core.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;

import java.math.BigDecimal;
import java.math.MathContext;
import dev.kickoff.core.json.Json;

/** Decimal arithmetic for templates: exact where it can be (money), 34 significant digits where it cannot. */
final class Numbers {
    static final MathContext CONTEXT = MathContext.DECIMAL128;

    private Numbers() {
    }

    /** The node as a number, accepting numeric strings (form-encoded inputs often carry "42"). */
    static BigDecimal toDecimal(JsonNode node, String what) {
        if (node != null && node.isNumber()) {
            return bounded(node.decimalValue(), what);
        }
        if (node != null && node.isTextual()) {
            BigDecimal parsed = null;
            try {
                String text = node.textValue().strip();
                if (text.length() <= 100) {
                    parsed = new BigDecimal(text);
                }
            } catch (NumberFormatException ignored) {
                // falls through to the error below
            }
            if (parsed != null) {
                return bounded(parsed, what);
            }
        }
        throw new TemplateException(what + " expects a number, got " + Values.describe(node));
    }

    /**
     * Keeps template arithmetic within ±1e300: beyond it, rounding or printing a number costs time and space in
     * proportion to its exponent ({@code "1e99999999" | ceil} would take a minute and a hundred megabytes).
     */
    private static BigDecimal bounded(BigDecimal value, String what) {
        if (!Json.inRange(value)) {
            throw new TemplateException(what + ": number out of range (beyond 1e" + Json.MAX_EXPONENT + ")");
        }
        return value;
    }

    /** A JSON number node for the value: integral values become integers, others drop trailing zeros. */
    static JsonNode toNode(BigDecimal value) {
        BigDecimal v = bounded(value.round(CONTEXT), "the result");
        BigDecimal stripped = v.signum() == 0 ? BigDecimal.ZERO : v.stripTrailingZeros();
        if (stripped.scale() <= 0) {
            var integer = stripped.toBigInteger();
            if (integer.bitLength() < 64) {
                return LongNode.valueOf(integer.longValue());
            }
            return BigIntegerNode.valueOf(integer);
        }
        return DecimalNode.valueOf(stripped);
    }
}
