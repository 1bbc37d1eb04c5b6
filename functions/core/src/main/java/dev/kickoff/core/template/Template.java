package dev.kickoff.core.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A string with {@code {{ expression }}} parts. A string that is exactly one {@code {{…}}} evaluates to the
 * expression's JSON value, keeping its type (number, object, array); any other string renders each expression
 * as text in place.
 */
public final class Template {
    public static final int MAX_LENGTH = 65_536;
    public static final int MAX_EXPRESSIONS = 256;

    private final List<Object> parts;  // String literal text or Expr
    private final boolean single;

    private Template(List<Object> parts, boolean single) {
        this.parts = parts;
        this.single = single;
    }

    /** True when the text contains template syntax; plain strings skip parsing entirely. */
    public static boolean isTemplated(String text) {
        return text.contains("{{");
    }

    public static Template parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new TemplateException("template longer than " + MAX_LENGTH + " characters");
        }
        List<Object> parts = new ArrayList<>();
        int pos = 0;
        int expressions = 0;
        while (pos < text.length()) {
            int open = text.indexOf("{{", pos);
            if (open < 0) {
                parts.add(text.substring(pos));
                break;
            }
            if (open > pos) {
                parts.add(text.substring(pos, open));
            }
            int close = text.indexOf("}}", open + 2);
            if (close < 0) {
                throw new TemplateException("unclosed '{{' at position " + (open + 1));
            }
            String body = text.substring(open + 2, close);
            try {
                parts.add(ExpressionParser.parsePipeline(body));
            } catch (TemplateException e) {
                throw new TemplateException("in {{" + body + "}}: " + e.getMessage());
            }
            if (++expressions > MAX_EXPRESSIONS) {
                throw new TemplateException("more than " + MAX_EXPRESSIONS + " expressions in one string");
            }
            pos = close + 2;
        }
        boolean single = parts.size() == 1 && parts.getFirst() instanceof Expr;
        return new Template(List.copyOf(parts), single);
    }

    public JsonNode evaluate(JsonNode scope, Budget budget) {
        try {
            return evaluateUnchecked(scope, budget);
        } catch (ArithmeticException e) {
            // e.g. a scale overflow deep in BigDecimal: the template's fault, so a step failure, not a retry
            throw new TemplateException("arithmetic error: " + e.getMessage());
        }
    }

    private JsonNode evaluateUnchecked(JsonNode scope, Budget budget) {
        if (single) {
            return Values.orNull(((Expr) parts.getFirst()).eval(scope, budget));
        }
        StringBuilder sb = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof String literal) {
                sb.append(literal);
            } else {
                sb.append(Values.text(((Expr) part).eval(scope, budget)));
            }
            budget.checkOutput(sb.length());
        }
        return TextNode.valueOf(sb.toString());
    }
}
