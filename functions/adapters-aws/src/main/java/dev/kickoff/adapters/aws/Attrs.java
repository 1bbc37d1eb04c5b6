package dev.kickoff.adapters.aws;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.Map;

/** Reading and writing item attributes without ceremony. */
final class Attrs {
    private Attrs() {
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    static AttributeValue bool(boolean value) {
        return AttributeValue.fromBool(value);
    }

    static AttributeValue instant(Instant value) {
        return AttributeValue.fromS(value.toString());
    }

    static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    static long num(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Long.parseLong(v.n());
    }

    static Long numOrNull(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? null : Long.parseLong(v.n());
    }

    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("#([A-Za-z_][A-Za-z0-9_]*)");

    /**
     * The attribute names of expressions written with every name as {@code #name} (so that no attribute can collide
     * with one of DynamoDB's reserved words): {@code {"#name": "name", …}}, exactly the ones used.
     */
    static Map<String, String> names(String... expressions) {
        Map<String, String> names = new java.util.HashMap<>();
        for (String e : expressions) {
            if (e != null) {
                java.util.regex.Matcher m = NAME.matcher(e);
                while (m.find()) {
                    names.put("#" + m.group(1), m.group(1));
                }
            }
        }
        return names;
    }

    static AttributeValue decimal(java.math.BigDecimal value) {
        return AttributeValue.fromN(value.toPlainString());
    }

    static java.math.BigDecimal decimalOrNull(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? null : new java.math.BigDecimal(v.n());
    }

    static boolean bool(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v != null && Boolean.TRUE.equals(v.bool());
    }

    static Instant time(Map<String, AttributeValue> item, String name) {
        String s = str(item, name);
        return s == null ? null : Instant.parse(s);
    }

    private static final java.time.format.DateTimeFormatter SORTABLE =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    /**
     * A fixed-width UTC timestamp ({@code 2026-05-28T17:04:12.000Z}) for sort keys: {@code Instant.toString()} drops
     * a zero fraction, which would sort {@code …:12Z} after {@code …:12.120Z}.
     */
    static String sortable(Instant instant) {
        return SORTABLE.format(instant);
    }

    /** Sixteen digits, so that IDs below 2^53 sort lexically in numeric order inside sort keys. */
    /** {@code %016d} without a Formatter: this runs for every key the trigger path builds (JFR showed it). */
    static String pad(long id) {
        if (id < 0) {
            return String.format("%016d", id);
        }
        String digits = Long.toString(id);
        return digits.length() >= 16 ? digits : "0".repeat(16 - digits.length()) + digits;
    }
}
