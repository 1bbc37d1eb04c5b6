package dev.kickoff.core.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.kickoff.core.json.Json;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The filters a template may use, Liquid-style. Rules every filter follows: {@code null} in gives {@code null}
 * out (except {@code default}, {@code size} and {@code json}); a value of the wrong type is an error that names
 * the filter, never a silent zero.
 */
public final class Filters {
    record Call(String name, JsonNode input, List<JsonNode> args, Expr itemExpression, Budget budget) {
        JsonNode arg(int i) {
            return i < args.size() ? args.get(i) : NullNode.getInstance();
        }

        BigDecimal number() {
            return Numbers.toDecimal(input, name);
        }

        BigDecimal numberArg(int i) {
            return Numbers.toDecimal(arg(i), name + " argument");
        }

        ArrayNode array() {
            if (input.isArray()) {
                return (ArrayNode) input;
            }
            throw new TemplateException(name + " expects an array, got " + Values.describe(input));
        }

        String string() {
            return Values.text(input);
        }

        /** The item expression applied to an element, or the element itself when there is none. */
        JsonNode project(JsonNode element) {
            budget.spend(1);
            return itemExpression == null ? element : Values.orNull(itemExpression.eval(element, budget));
        }
    }

    /**
     * @param itemExpression the first argument is a string literal compiled as an item expression
     *                       ({@code 'quantity * price'} or a property name)
     * @param nullSafe       the filter runs on {@code null} input instead of passing it through
     */
    record Spec(int minArgs, int maxArgs, boolean itemExpression, boolean nullSafe, Function<Call, JsonNode> impl) {
    }

    private static final Map<String, Spec> SPECS = new TreeMap<>();

    static {
        // arithmetic
        arith("plus", (a, b) -> a.add(b, Numbers.CONTEXT));
        arith("minus", (a, b) -> a.subtract(b, Numbers.CONTEXT));
        arith("times", (a, b) -> a.multiply(b, Numbers.CONTEXT));
        arith("divided_by", (a, b) -> {
            if (b.signum() == 0) {
                throw new TemplateException("divided_by: division by zero");
            }
            return a.divide(b, Numbers.CONTEXT);
        });
        arith("modulo", (a, b) -> {
            if (b.signum() == 0) {
                throw new TemplateException("modulo: division by zero");
            }
            return a.remainder(b, Numbers.CONTEXT);
        });
        arith("at_least", BigDecimal::max);
        arith("at_most", BigDecimal::min);
        put("round", 0, 1, c -> {
            int digits = c.args().isEmpty() ? 0 : c.numberArg(0).intValue();
            if (digits < 0 || digits > 20) {
                throw new TemplateException("round: digits must be between 0 and 20");
            }
            return Numbers.toNode(c.number().setScale(digits, RoundingMode.HALF_UP));
        });
        put("ceil", 0, 0, c -> Numbers.toNode(c.number().setScale(0, RoundingMode.CEILING)));
        put("floor", 0, 0, c -> Numbers.toNode(c.number().setScale(0, RoundingMode.FLOOR)));
        put("abs", 0, 0, c -> Numbers.toNode(c.number().abs()));
        put("to_number", 0, 0, c -> Numbers.toNode(c.number()));

        // arrays
        SPECS.put("map", new Spec(1, 1, true, false, c -> {
            ArrayNode out = Json.array();
            for (JsonNode element : c.array()) {
                out.add(c.project(element));
            }
            return out;
        }));
        SPECS.put("sum", new Spec(0, 1, true, false, c -> {
            BigDecimal total = BigDecimal.ZERO;
            for (JsonNode element : c.array()) {
                total = total.add(Numbers.toDecimal(c.project(element), "sum"), Numbers.CONTEXT);
            }
            return Numbers.toNode(total);
        }));
        SPECS.put("min", new Spec(0, 1, true, false, c -> extreme(c, -1)));
        SPECS.put("max", new Spec(0, 1, true, false, c -> extreme(c, 1)));
        SPECS.put("sort", new Spec(0, 1, true, false, c -> {
            List<JsonNode> items = new ArrayList<>();
            c.array().forEach(items::add);
            c.budget().spend(items.size() * 8L);
            items.sort(Comparator.comparing(c::project, Filters::compare));
            ArrayNode out = Json.array();
            items.forEach(out::add);
            return out;
        }));
        SPECS.put("where", new Spec(1, 2, true, false, c -> {
            ArrayNode out = Json.array();
            boolean hasValue = !c.args().isEmpty();
            for (JsonNode element : c.array()) {
                JsonNode projected = c.project(element);
                if (hasValue ? sameValue(projected, c.arg(0)) : Values.truthy(projected)) {
                    out.add(element);
                }
            }
            return out;
        }));
        put("first", 0, 0, c -> c.input().isArray() ? Values.orNull(c.input().get(0)) : firstChar(c));
        put("last", 0, 0, c -> c.input().isArray()
                ? Values.orNull(c.input().get(c.input().size() - 1)) : lastChar(c));
        put("reverse", 0, 0, c -> {
            List<JsonNode> items = new ArrayList<>();
            c.array().forEach(items::add);
            Collections.reverse(items);
            ArrayNode out = Json.array();
            items.forEach(out::add);
            return out;
        });
        put("uniq", 0, 0, c -> {
            Set<JsonNode> seen = new HashSet<>();
            ArrayNode out = Json.array();
            for (JsonNode element : c.array()) {
                c.budget().spend(1);
                if (seen.add(element)) {
                    out.add(element);
                }
            }
            return out;
        });
        put("compact", 0, 0, c -> {
            ArrayNode out = Json.array();
            for (JsonNode element : c.array()) {
                if (!Values.isNull(element)) {
                    out.add(element);
                }
            }
            return out;
        });
        put("concat", 1, 1, c -> {
            ArrayNode out = c.array().deepCopy();
            JsonNode other = c.arg(0);
            if (!other.isArray()) {
                throw new TemplateException("concat expects an array argument, got " + Values.describe(other));
            }
            out.addAll((ArrayNode) other);
            c.budget().spend(out.size());
            return out;
        });
        put("join", 0, 1, c -> {
            String separator = c.args().isEmpty() ? " " : Values.text(c.arg(0));
            StringBuilder sb = new StringBuilder();
            for (JsonNode element : c.array()) {
                if (!sb.isEmpty()) {
                    sb.append(separator);
                }
                sb.append(Values.text(element));
                c.budget().checkOutput(sb.length());
            }
            return TextNode.valueOf(sb.toString());
        });
        SPECS.put("size", new Spec(0, 0, false, true, c -> {
            JsonNode in = c.input();
            if (Values.isNull(in)) {
                return Numbers.toNode(BigDecimal.ZERO);
            }
            int size = in.isContainerNode() ? in.size() : Values.text(in).codePointCount(0, Values.text(in).length());
            return Numbers.toNode(BigDecimal.valueOf(size));
        }));

        // strings
        str("upcase", s -> s.toUpperCase(Locale.ROOT));
        str("downcase", s -> s.toLowerCase(Locale.ROOT));
        str("capitalize", s -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1));
        str("strip", String::strip);
        str("lstrip", String::stripLeading);
        str("rstrip", String::stripTrailing);
        str("url_encode", s -> URLEncoder.encode(s, StandardCharsets.UTF_8));
        str("escape", Filters::escapeHtml);
        put("append", 1, 1, c -> text(c, c.string() + Values.text(c.arg(0))));
        put("prepend", 1, 1, c -> text(c, Values.text(c.arg(0)) + c.string()));
        put("replace", 2, 2, c -> text(c, c.string().replace(Values.text(c.arg(0)), Values.text(c.arg(1)))));
        put("remove", 1, 1, c -> text(c, c.string().replace(Values.text(c.arg(0)), "")));
        put("truncate", 1, 2, c -> {
            int length = c.numberArg(0).intValue();
            String ellipsis = c.args().size() > 1 ? Values.text(c.arg(1)) : "...";
            String s = c.string();
            if (s.length() <= length) {
                return TextNode.valueOf(s);
            }
            int keep = Math.max(0, length - ellipsis.length());
            return TextNode.valueOf(s.substring(0, keep) + ellipsis);
        });
        put("split", 1, 1, c -> {
            ArrayNode out = Json.array();
            String separator = Values.text(c.arg(0));
            String s = c.string();
            if (separator.isEmpty()) {
                s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
            } else {
                int from = 0;
                while (true) {
                    c.budget().spend(1);
                    int at = s.indexOf(separator, from);
                    if (at < 0) {
                        out.add(s.substring(from));
                        break;
                    }
                    out.add(s.substring(from, at));
                    from = at + separator.length();
                }
            }
            return out;
        });
        put("slice", 1, 2, c -> {
            int start = c.numberArg(0).intValue();
            int length = c.args().size() > 1 ? c.numberArg(1).intValue() : 1;
            if (c.input().isArray()) {
                int size = c.input().size();
                int from = Math.max(0, start < 0 ? size + start : start);
                ArrayNode out = Json.array();
                for (int i = from; i < Math.min(size, from + Math.max(0, length)); i++) {
                    out.add(c.input().get(i));
                }
                return out;
            }
            String s = c.string();
            int from = Math.max(0, start < 0 ? s.length() + start : start);
            int to = Math.min(s.length(), from + Math.max(0, length));
            return TextNode.valueOf(from >= to ? "" : s.substring(from, to));
        });

        // values
        SPECS.put("default", new Spec(1, 1, false, true, c -> {
            JsonNode in = c.input();
            boolean empty = Values.isNull(in) || (in.isTextual() && in.textValue().isEmpty())
                    || (in.isBoolean() && !in.booleanValue()) || (in.isContainerNode() && in.isEmpty());
            return empty ? c.arg(0) : in;
        }));
        SPECS.put("json", new Spec(0, 0, false, true, c -> text(c, Json.write(Values.orNull(c.input())))));
        put("to_string", 0, 0, c -> TextNode.valueOf(c.string()));
        put("not", 0, 0, c -> BooleanNode.valueOf(!Values.truthy(c.input())));
    }

    private Filters() {
    }

    static Spec spec(String name) {
        return SPECS.get(name);
    }

    /** The filter names a template may use, for error messages and the docs. */
    public static Set<String> names() {
        return SPECS.keySet();
    }

    private static void put(String name, int min, int max, Function<Call, JsonNode> impl) {
        SPECS.put(name, new Spec(min, max, false, false, impl));
    }

    private interface DecimalOp {
        BigDecimal apply(BigDecimal a, BigDecimal b);
    }

    private static void arith(String name, DecimalOp op) {
        put(name, 1, 1, c -> Numbers.toNode(op.apply(c.number(), c.numberArg(0))));
    }

    private static void str(String name, Function<String, String> op) {
        put(name, 0, 0, c -> TextNode.valueOf(op.apply(c.string())));
    }

    private static JsonNode text(Call c, String s) {
        c.budget().checkOutput(s.length());
        return TextNode.valueOf(s);
    }

    private static JsonNode firstChar(Call c) {
        String s = c.string();
        return TextNode.valueOf(s.isEmpty() ? "" : s.substring(0, s.offsetByCodePoints(0, 1)));
    }

    private static JsonNode lastChar(Call c) {
        String s = c.string();
        return TextNode.valueOf(s.isEmpty() ? "" : s.substring(s.offsetByCodePoints(s.length(), -1)));
    }

    private static JsonNode extreme(Call c, int sign) {
        JsonNode best = NullNode.getInstance();
        for (JsonNode element : c.array()) {
            JsonNode value = c.project(element);
            if (Values.isNull(best) || compare(value, best) * sign > 0) {
                best = value;
            }
        }
        return best;
    }

    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    /** Numbers compare numerically, everything else by text; nulls sort first. */
    static int compare(JsonNode a, JsonNode b) {
        if (Values.isNull(a) || Values.isNull(b)) {
            return Boolean.compare(!Values.isNull(a), !Values.isNull(b));
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return Values.text(a).compareTo(Values.text(b));
    }

    private static String escapeHtml(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }
}
