package dev.kickoff.core.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.json.Json;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves whole JSON documents of templates (a step's {@code config}, a workflow's {@code output}): every
 * string value is a template, keys are literal. Parsed templates are cached, since the same definition is
 * evaluated for every run.
 */
public final class Templates {
    private static final int CACHE_LIMIT = 10_000;
    private static final Map<String, Template> CACHE = new ConcurrentHashMap<>();

    private Templates() {
    }

    public static Template compile(String text) {
        Template cached = CACHE.get(text);
        if (cached != null) {
            return cached;
        }
        Template template = Template.parse(text);
        if (CACHE.size() < CACHE_LIMIT) {
            CACHE.put(text, template);
        }
        return template;
    }

    /**
     * Evaluates every template in {@code document} against {@code scope}.
     *
     * @param where a JSON Pointer naming the document, used in error messages (e.g. {@code /steps/0/config})
     */
    public static JsonNode resolve(JsonNode document, JsonNode scope, Budget budget, String where) {
        if (document == null) {
            return null;
        }
        if (document.isTextual()) {
            String text = document.textValue();
            if (!Template.isTemplated(text)) {
                return document;
            }
            try {
                return compile(text).evaluate(scope, budget);
            } catch (TemplateException e) {
                throw new TemplateException(where + ": " + e.getMessage());
            }
        }
        if (document.isObject()) {
            ObjectNode out = Json.object();
            Iterator<Map.Entry<String, JsonNode>> fields = document.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                budget.spend(1);
                out.set(field.getKey(), resolve(field.getValue(), scope, budget, where + "/" + escape(field.getKey())));
            }
            return out;
        }
        if (document.isArray()) {
            ArrayNode out = Json.array();
            for (int i = 0; i < document.size(); i++) {
                budget.spend(1);
                out.add(resolve(document.get(i), scope, budget, where + "/" + i));
            }
            return out;
        }
        return document;
    }

    /** Every template in the document that does not parse, as a problem at its JSON Pointer. */
    public static List<FieldError> check(JsonNode document, String where) {
        List<FieldError> problems = new ArrayList<>();
        check(document, where, problems);
        return problems;
    }

    private static void check(JsonNode node, String where, List<FieldError> problems) {
        if (node == null) {
            return;
        }
        if (node.isTextual() && Template.isTemplated(node.textValue())) {
            try {
                compile(node.textValue());
            } catch (TemplateException e) {
                problems.add(new FieldError(where, "template does not parse: " + e.getMessage()));
            }
        } else if (node.isObject()) {
            node.fields().forEachRemaining(f -> check(f.getValue(), where + "/" + escape(f.getKey()), problems));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                check(node.get(i), where + "/" + i, problems);
            }
        }
    }

    /** RFC 6901 escaping of one pointer segment. */
    public static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }
}
