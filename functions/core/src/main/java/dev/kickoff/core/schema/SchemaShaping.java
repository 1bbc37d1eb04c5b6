package dev.kickoff.core.schema;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Fills in {@code default}s and removes unknown properties, the way Ajv's {@code useDefaults} and
 * {@code removeAdditional: true} do (the Node world seed 003 comes from):
 * <ul>
 *   <li>a property declared under {@code properties} that the instance lacks gets a copy of its {@code default};
 *       a property that is present (even as {@code null}) is left alone;</li>
 *   <li>where a schema says {@code "additionalProperties": false}, properties matching neither its
 *       {@code properties} nor its {@code patternProperties} are removed instead of being refused;</li>
 *   <li>both apply recursively through {@code properties}, {@code patternProperties}, an
 *       {@code additionalProperties} schema, {@code items}/{@code prefixItems}, {@code allOf} and local
 *       {@code $ref}s ({@code #/$defs/...}). Branches of {@code anyOf}, {@code oneOf} and {@code if/then/else}
 *       are not applied: which one holds is only known after validation, and guessing would change data that a
 *       different branch accepts.</li>
 * </ul>
 * The result is validated afterwards, so a default that breaks its own schema is still reported.
 */
final class SchemaShaping {
    /** Bounds the work on hostile schemas (e.g. allOf fan-out through refs): past it, shaping stops early. */
    static final int MAX_VISITS = 100_000;
    private static final int MAX_REF_HOPS = 32;

    private final JsonNode root;
    private int visits;

    private SchemaShaping(JsonNode root) {
        this.root = root;
    }

    /** Shapes {@code instance} in place. */
    static void apply(JsonNode schema, JsonNode instance) {
        new SchemaShaping(schema).apply(schema, instance, 0);
    }

    private void apply(JsonNode schema, JsonNode value, int hops) {
        if (schema == null || !schema.isObject() || value == null || ++visits > MAX_VISITS) {
            return;
        }
        JsonNode ref = schema.get("$ref");
        if (ref != null && ref.isTextual() && hops < MAX_REF_HOPS) {
            apply(resolve(ref.textValue()), value, hops + 1);
        }
        JsonNode allOf = schema.get("allOf");
        if (allOf != null && allOf.isArray() && hops < MAX_REF_HOPS) {
            for (JsonNode sub : allOf) {
                apply(sub, value, hops + 1);
            }
        }
        if (value instanceof ObjectNode object) {
            shapeObject(schema, object);
        } else if (value instanceof ArrayNode array) {
            shapeArray(schema, array);
        }
    }

    private void shapeObject(JsonNode schema, ObjectNode object) {
        JsonNode declaredProperties = schema.get("properties");
        JsonNode properties = declaredProperties != null && declaredProperties.isObject() ? declaredProperties : null;
        if (properties != null) {
            for (var it = properties.fields(); it.hasNext(); ) {
                var declared = it.next();
                if (!object.has(declared.getKey())) {
                    JsonNode fallback = defaultOf(declared.getValue());
                    if (fallback != null) {
                        object.set(declared.getKey(), fallback.deepCopy());
                    }
                }
            }
        }
        List<Predicate<String>> patterns = patterns(schema.get("patternProperties"));
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && additional.isBoolean() && !additional.booleanValue() && patterns != null) {
            List<String> unknown = new ArrayList<>();
            object.fieldNames().forEachRemaining(name -> {
                if ((properties == null || !properties.has(name)) && patterns.stream().noneMatch(p -> p.test(name))) {
                    unknown.add(name);
                }
            });
            object.remove(unknown);
        }
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        JsonNode patternSchemas = schema.get("patternProperties");
        for (String name : names) {
            JsonNode child = object.get(name);
            boolean matched = false;
            if (properties != null && properties.has(name)) {
                apply(properties.get(name), child, 0);
                matched = true;
            }
            if (patterns != null && !patterns.isEmpty()) {
                int i = 0;
                for (var it = patternSchemas.fields(); it.hasNext(); i++) {
                    var entry = it.next();
                    if (patterns.get(i).test(name)) {
                        apply(entry.getValue(), child, 0);
                        matched = true;
                    }
                }
            }
            if (!matched && additional != null && additional.isObject()) {
                apply(additional, child, 0);
            }
        }
    }

    private void shapeArray(JsonNode schema, ArrayNode array) {
        JsonNode prefix = schema.get("prefixItems");
        JsonNode items = schema.get("items");
        if (items != null && items.isArray() && (prefix == null || !prefix.isArray())) {
            prefix = items;  // draft 2019-09 and earlier: a tuple
            items = null;
        }
        for (int i = 0; i < array.size(); i++) {
            JsonNode sub = prefix != null && prefix.isArray() && i < prefix.size() ? prefix.get(i) : items;
            apply(sub, array.get(i), 0);
        }
    }

    /** A property schema's default, looking through local refs. */
    private JsonNode defaultOf(JsonNode schema) {
        for (int hops = 0; schema != null && schema.isObject() && hops < MAX_REF_HOPS; hops++) {
            if (schema.has("default")) {
                return schema.get("default");
            }
            JsonNode ref = schema.get("$ref");
            schema = ref != null && ref.isTextual() ? resolve(ref.textValue()) : null;
        }
        return null;
    }

    /** Local references only ({@code #} and {@code #/json/pointer}); anything else shapes nothing. */
    private JsonNode resolve(String ref) {
        if (ref.equals("#")) {
            return root;
        }
        if (!ref.startsWith("#/")) {
            return null;
        }
        try {
            String pointer = URLDecoder.decode(ref.substring(1).replace("+", "%2B"), StandardCharsets.UTF_8);
            JsonNode target = root.at(JsonPointer.compile(pointer));
            return target.isMissingNode() ? null : target;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The schema's property-name patterns, as validation runs them ({@link SchemaPatterns}: RE2/J, bounded in time);
     * null when one does not compile (then nothing is stripped there).
     */
    private static List<Predicate<String>> patterns(JsonNode patternProperties) {
        List<Predicate<String>> out = new ArrayList<>();
        if (patternProperties == null || !patternProperties.isObject()) {
            return out;
        }
        for (var it = patternProperties.fieldNames(); it.hasNext(); ) {
            try {
                out.add(SchemaPatterns.compile(it.next()));
            } catch (EcmaRegex.Invalid e) {
                return null;
            }
        }
        return out;
    }
}
