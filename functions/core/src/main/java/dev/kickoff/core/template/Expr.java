package dev.kickoff.core.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import java.math.BigDecimal;
import java.util.List;

/** A compiled template expression, evaluated against a scope object. */
sealed interface Expr {
    JsonNode eval(JsonNode scope, Budget budget);

    record Literal(JsonNode value) implements Expr {
        @Override
        public JsonNode eval(JsonNode scope, Budget budget) {
            return value;
        }
    }

    /** A path such as {@code input.items.0.product} or {@code steps.calculate-total.output.total}. */
    record Path(List<Object> segments) implements Expr {
        @Override
        public JsonNode eval(JsonNode scope, Budget budget) {
            JsonNode node = scope;
            for (Object segment : segments) {
                budget.spend(1);
                if (Values.isNull(node)) {
                    return NullNode.getInstance();
                }
                if (segment instanceof Integer index) {
                    node = node.isArray() ? node.get(index < 0 ? node.size() + index : index) : null;
                } else {
                    String key = (String) segment;
                    if (node.isObject()) {
                        node = node.get(key);
                    } else if (node.isArray() && isIndex(key)) {
                        node = node.get(Integer.parseInt(key));
                    } else {
                        node = null;
                    }
                }
            }
            return Values.orNull(node);
        }

        private static boolean isIndex(String key) {
            if (key.isEmpty() || key.length() > 9) {
                return false;
            }
            for (int i = 0; i < key.length(); i++) {
                if (!Character.isDigit(key.charAt(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Arithmetic inside a {@code map} expression such as {@code 'quantity * price'}. */
    record Binary(char op, Expr left, Expr right, String source) implements Expr {
        @Override
        public JsonNode eval(JsonNode scope, Budget budget) {
            budget.spend(1);
            BigDecimal a = Numbers.toDecimal(left.eval(scope, budget), "'" + source + "'");
            BigDecimal b = Numbers.toDecimal(right.eval(scope, budget), "'" + source + "'");
            BigDecimal result = switch (op) {
                case '+' -> a.add(b, Numbers.CONTEXT);
                case '-' -> a.subtract(b, Numbers.CONTEXT);
                case '*' -> a.multiply(b, Numbers.CONTEXT);
                case '/' -> {
                    if (b.signum() == 0) {
                        throw new TemplateException("'" + source + "' divides by zero");
                    }
                    yield a.divide(b, Numbers.CONTEXT);
                }
                case '%' -> {
                    if (b.signum() == 0) {
                        throw new TemplateException("'" + source + "' divides by zero");
                    }
                    yield a.remainder(b, Numbers.CONTEXT);
                }
                default -> throw new IllegalStateException("operator " + op);
            };
            return Numbers.toNode(result);
        }
    }

    record Negate(Expr inner, String source) implements Expr {
        @Override
        public JsonNode eval(JsonNode scope, Budget budget) {
            return Numbers.toNode(Numbers.toDecimal(inner.eval(scope, budget), "'" + source + "'").negate());
        }
    }

    /** {@code head | filter: args | filter ...}: the body of one {@code {{ }}}. */
    record Pipeline(Expr head, List<FilterCall> filters) implements Expr {
        @Override
        public JsonNode eval(JsonNode scope, Budget budget) {
            JsonNode value = head.eval(scope, budget);
            for (FilterCall call : filters) {
                budget.spend(1);
                if (Values.isNull(value) && !call.spec().nullSafe()) {
                    continue;  // null in, null out: a missing field does not make every filter an error
                }
                value = Values.orNull(call.apply(value, scope, budget));
            }
            return value;
        }
    }
}
