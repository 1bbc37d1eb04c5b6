package dev.kickoff.core.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Recursive-descent parser for the two small languages templates use:
 * <ul>
 *   <li>pipelines, the body of {@code {{ }}}: {@code input.items | map: 'quantity * price' | sum | times: 1.08};
 *       path segments may contain hyphens ({@code steps.calculate-total.output}) and digits ({@code items.0});</li>
 *   <li>item expressions, the argument of {@code map}: arithmetic over an element's fields, where {@code -}
 *       is subtraction.</li>
 * </ul>
 * Nesting is bounded so that hostile input cannot exhaust the stack.
 */
final class ExpressionParser {
    private static final int MAX_DEPTH = 32;
    private static final int MAX_FILTERS = 32;

    private final String src;
    private final boolean arithmetic;
    private int pos;
    private int depth;

    private ExpressionParser(String src, boolean arithmetic) {
        this.src = src;
        this.arithmetic = arithmetic;
    }

    static Expr parsePipeline(String src) {
        ExpressionParser p = new ExpressionParser(src, false);
        Expr e = p.pipeline();
        p.skipWs();
        if (!p.atEnd()) {
            throw p.error("unexpected '" + p.peek() + "'");
        }
        return e;
    }

    static Expr parseItemExpression(String src) {
        ExpressionParser p = new ExpressionParser(src, true);
        p.skipWs();
        if (p.atEnd()) {
            throw new TemplateException("empty expression");
        }
        Expr e = p.sum();
        p.skipWs();
        if (!p.atEnd()) {
            throw p.error("unexpected '" + p.peek() + "'");
        }
        return e;
    }

    private Expr pipeline() {
        skipWs();
        if (atEnd()) {
            throw new TemplateException("empty expression");
        }
        Expr head = operand();
        List<FilterCall> filters = new ArrayList<>();
        while (true) {
            skipWs();
            if (atEnd() || peek() != '|') {
                break;
            }
            pos++;
            skipWs();
            int at = pos;
            String name = identifier(false);
            if (name == null) {
                throw error("expected a filter name after '|'");
            }
            Filters.Spec spec = Filters.spec(name);
            if (spec == null) {
                pos = at;
                throw error("unknown filter '" + name + "'");
            }
            List<Expr> args = new ArrayList<>();
            skipWs();
            if (!atEnd() && peek() == ':') {
                pos++;
                do {
                    skipWs();
                    args.add(operand());
                    skipWs();
                } while (!atEnd() && peek() == ',' && ++pos > 0);
            }
            if (args.size() < spec.minArgs() || args.size() > spec.maxArgs()) {
                throw new TemplateException("filter '" + name + "' takes " + arity(spec) + ", got " + args.size());
            }
            Expr item = null;
            if (spec.itemExpression() && !args.isEmpty()) {
                if (!(args.getFirst() instanceof Expr.Literal lit) || !lit.value().isTextual()) {
                    throw new TemplateException("filter '" + name + "' takes a quoted expression, e.g. "
                            + name + ": 'quantity * price'");
                }
                try {
                    item = parseItemExpression(lit.value().textValue());
                } catch (TemplateException e) {
                    throw new TemplateException("in " + name + ": '" + lit.value().textValue() + "': " + e.getMessage());
                }
                args = args.subList(1, args.size());
            }
            filters.add(new FilterCall(name, spec, List.copyOf(args), item));
            if (filters.size() > MAX_FILTERS) {
                throw new TemplateException("more than " + MAX_FILTERS + " filters in one expression");
            }
        }
        return filters.isEmpty() ? head : new Expr.Pipeline(head, List.copyOf(filters));
    }

    private static String arity(Filters.Spec spec) {
        if (spec.minArgs() == spec.maxArgs()) {
            return spec.minArgs() == 0 ? "no arguments" : spec.minArgs() + " argument" + (spec.minArgs() > 1 ? "s" : "");
        }
        return spec.minArgs() + " to " + spec.maxArgs() + " arguments";
    }

    // item expressions: sum := product (('+'|'-') product)*

    private Expr sum() {
        enter();
        int start = pos;
        Expr left = product();
        while (true) {
            skipWs();
            if (atEnd() || (peek() != '+' && peek() != '-')) {
                break;
            }
            char op = src.charAt(pos++);
            Expr right = product();
            left = new Expr.Binary(op, left, right, src.substring(start, pos).strip());
        }
        depth--;
        return left;
    }

    private Expr product() {
        int start = pos;
        Expr left = unary();
        while (true) {
            skipWs();
            if (atEnd() || (peek() != '*' && peek() != '/' && peek() != '%')) {
                break;
            }
            char op = src.charAt(pos++);
            Expr right = unary();
            left = new Expr.Binary(op, left, right, src.substring(start, pos).strip());
        }
        return left;
    }

    private Expr unary() {
        skipWs();
        if (!atEnd() && peek() == '-' && !(pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1)))) {
            int start = pos++;
            enter();
            Expr inner = unary();
            depth--;
            return new Expr.Negate(inner, src.substring(start, pos).strip());
        }
        if (!atEnd() && peek() == '(') {
            pos++;
            Expr inner = sum();
            skipWs();
            expect(')');
            return inner;
        }
        return operand();
    }

    // operands: literals and paths

    private Expr operand() {
        skipWs();
        if (atEnd()) {
            throw error("expected a value");
        }
        char c = peek();
        if (c == '\'' || c == '"') {
            return new Expr.Literal(TextNode.valueOf(string()));
        }
        if (Character.isDigit(c) || (c == '-' && pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1)))) {
            return new Expr.Literal(number());
        }
        int start = pos;
        String first = identifier(!arithmetic);
        if (first == null) {
            throw error("unexpected '" + c + "'");
        }
        boolean continues = !atEnd() && (peek() == '.' || peek() == '[');
        if (!continues) {
            switch (first) {
                case "true" -> {
                    return new Expr.Literal(BooleanNode.TRUE);
                }
                case "false" -> {
                    return new Expr.Literal(BooleanNode.FALSE);
                }
                case "null", "nil" -> {
                    return new Expr.Literal(NullNode.getInstance());
                }
                default -> {
                }
            }
        }
        List<Object> segments = new ArrayList<>();
        segments.add(first);
        while (!atEnd()) {
            if (peek() == '.') {
                pos++;
                String segment = segment();
                if (segment == null) {
                    throw error("expected a name after '.'");
                }
                segments.add(segment);
            } else if (peek() == '[') {
                pos++;
                skipWs();
                if (atEnd()) {
                    throw error("unclosed '['");
                }
                if (peek() == '\'' || peek() == '"') {
                    segments.add(string());
                } else {
                    JsonNode n = number();
                    if (!n.canConvertToInt() || !n.isIntegralNumber()) {
                        throw error("array index must be an integer");
                    }
                    segments.add(n.intValue());
                }
                skipWs();
                expect(']');
            } else {
                break;
            }
            if (segments.size() > 64) {
                pos = start;
                throw error("path is too deep");
            }
        }
        return new Expr.Path(List.copyOf(segments));
    }

    private String identifier(boolean allowHyphen) {
        int start = pos;
        if (atEnd() || !(Character.isLetter(peek()) || peek() == '_')) {
            return null;
        }
        pos++;
        while (!atEnd()) {
            char c = peek();
            if (Character.isLetterOrDigit(c) || c == '_' || (allowHyphen && c == '-')) {
                pos++;
            } else {
                break;
            }
        }
        return src.substring(start, pos);
    }

    private String segment() {
        int start = pos;
        while (!atEnd()) {
            char c = peek();
            if (Character.isLetterOrDigit(c) || c == '_' || (!arithmetic && c == '-')) {
                pos++;
            } else {
                break;
            }
        }
        return pos == start ? null : src.substring(start, pos);
    }

    private JsonNode number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        while (!atEnd() && (Character.isDigit(peek()) || peek() == '.')) {
            pos++;
        }
        if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
            pos++;
            if (!atEnd() && (peek() == '+' || peek() == '-')) {
                pos++;
            }
            while (!atEnd() && Character.isDigit(peek())) {
                pos++;
            }
        }
        String text = src.substring(start, pos);
        try {
            if (text.length() > 100) {
                throw new NumberFormatException();
            }
            return Numbers.toNode(new BigDecimal(text));
        } catch (NumberFormatException e) {
            pos = start;
            throw error("malformed number '" + text + "'");
        }
    }

    private String string() {
        char quote = src.charAt(pos++);
        StringBuilder sb = new StringBuilder();
        while (!atEnd()) {
            char c = src.charAt(pos++);
            if (c == quote) {
                return sb.toString();
            }
            if (c == '\\' && !atEnd()) {
                char next = src.charAt(pos++);
                sb.append(switch (next) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> next;
                });
            } else {
                sb.append(c);
            }
        }
        throw new TemplateException("unclosed string literal");
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw new TemplateException("expression nests too deeply");
        }
    }

    private void expect(char c) {
        if (atEnd() || peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private void skipWs() {
        while (!atEnd() && Character.isWhitespace(peek())) {
            pos++;
        }
    }

    private boolean atEnd() {
        return pos >= src.length();
    }

    private char peek() {
        return src.charAt(pos);
    }

    private TemplateException error(String message) {
        return new TemplateException(message + " at position " + (pos + 1) + " of '" + src.strip() + "'");
    }
}
