package dev.kickoff.core.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.template.Templates;
import dev.kickoff.core.workflow.WorkflowDefinitions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JSON Schema (2020-12 by default) through networknt's validator. Customer schemas never reach the network:
 * remote {@code $ref}s are not fetched (they would be a server-side request forgery vector and a way to hang a
 * request). Compiled schemas are cached by their text, since the same schema is checked on every request.
 * Regular expressions are ECMA-262 run on RE2/J, in bounded time ({@link SchemaPatterns}).
 */
public final class JsonSchemas {
    private static final int CACHE_LIMIT = 512;
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false))
                    .schemaRegistryConfig(SchemaRegistryConfig.builder()
                            .regularExpressionFactory(SchemaPatterns.INSTANCE).build()));
    private static final String DEFAULT_META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";
    /** The meta-schemas networknt ships (read from its jar, never fetched), by the {@code $schema} that names them. */
    private static final Set<String> META_SCHEMAS = Set.of(DEFAULT_META_SCHEMA,
            "https://json-schema.org/draft/2019-09/schema", "http://json-schema.org/draft-07/schema#",
            "http://json-schema.org/draft-07/schema", "http://json-schema.org/draft-06/schema#",
            "http://json-schema.org/draft-04/schema#");
    private static final Map<String, Schema> META = new ConcurrentHashMap<>();
    /** Keywords whose value is a schema, an array of schemas, or an object of schemas: where patterns can be. */
    private static final Set<String> ONE_SCHEMA = Set.of("not", "if", "then", "else", "additionalProperties",
            "unevaluatedProperties", "unevaluatedItems", "contains", "propertyNames", "additionalItems", "contentSchema");
    private static final Set<String> SCHEMA_ARRAYS = Set.of("allOf", "anyOf", "oneOf", "prefixItems", "items");
    private static final Set<String> SCHEMA_MAPS = Set.of("properties", "patternProperties", "$defs", "definitions",
            "dependentSchemas");
    private static final Map<String, JsonSchema> CACHE = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JsonSchema> eldest) {
            return size() > CACHE_LIMIT;
        }
    };

    private JsonSchemas() {
    }

    /**
     * A request's input prepared against the inputSchema of the workflow version it is for (runs and schedules
     * check it the same way): a schema that cannot be applied is the definition's fault, not the input's.
     */
    public static PreparedInput prepareInput(JsonNode inputSchema, JsonNode input) {
        try {
            return compile(inputSchema).prepare(input);
        } catch (InvalidSchemaException e) {
            throw new KickoffException(Reason.INVALID_DEFINITION, "the workflow's inputSchema cannot be applied ("
                    + e.getMessage() + "); fix the workflow definition");
        }
    }

    /** Compiles a schema; throws {@link InvalidSchemaException} when it cannot be used. */
    public static JsonSchema compile(JsonNode schema) {
        String key = Json.write(schema);
        synchronized (CACHE) {
            JsonSchema cached = CACHE.get(key);
            if (cached != null) {
                return cached;
            }
        }
        JsonSchema compiled;
        try {
            Schema s = REGISTRY.getSchema(schema);
            s.initializeValidators();
            compiled = new JsonSchema(s, schema.deepCopy());
        } catch (RuntimeException e) {
            throw new InvalidSchemaException(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        synchronized (CACHE) {
            CACHE.put(key, compiled);
        }
        return compiled;
    }

    /**
     * A definition check: the schema at {@code pointer} must be valid against its meta-schema (2020-12 unless its
     * {@code $schema} names another: {@code "multipleOf": 0} or {@code "minLength": -1} are refused), each of its
     * regular expressions must run on RE2/J, it must compile, and it must describe an object. Problems carry JSON
     * Pointers into the definition.
     */
    public static WorkflowDefinitions.SchemaCheck definitionCheck() {
        return (schema, pointer) -> {
            List<FieldError> problems = new ArrayList<>();
            if (schema.isObject() && schema.has("type") && !"object".equals(schema.get("type").asText())) {
                problems.add(new FieldError(pointer + "/type", "the schema must describe an object (\"type\": \"object\")"));
            }
            problems.addAll(metaSchemaProblems(schema, pointer));
            patternProblems(schema, pointer, problems, 0);
            if (!problems.isEmpty()) {
                return problems;
            }
            try {
                // A trial run catches $ref loops that would otherwise fail every run of the workflow.
                compile(schema).validate(Json.object());
            } catch (InvalidSchemaException e) {
                problems.add(new FieldError(pointer, "not a usable JSON Schema: " + e.getMessage()));
            }
            return problems;
        };
    }

    /** What the schema's meta-schema says is wrong with it, at pointers into the definition. */
    static List<FieldError> metaSchemaProblems(JsonNode schema, String pointer) {
        JsonNode declared = schema.get("$schema");
        String uri = declared != null && declared.isTextual() ? declared.textValue() : DEFAULT_META_SCHEMA;
        if (!META_SCHEMAS.contains(uri)) {
            if (declared == null || !declared.isTextual()) {
                uri = DEFAULT_META_SCHEMA;
            } else {
                return List.of(new FieldError(pointer + "/$schema", "unknown $schema; use "
                        + DEFAULT_META_SCHEMA + " (the default) or an earlier draft's URI"));
            }
        }
        Schema meta = META.computeIfAbsent(uri, u -> REGISTRY.getSchema(SchemaLocation.of(u)));
        // One problem per place: the meta-schema's alternatives would each add their own wording of the same mistake.
        Map<String, FieldError> problems = new LinkedHashMap<>();
        List<Error> errors;
        try {
            errors = RegexBudget.run(() -> meta.validate(schema));
        } catch (RuntimeException | StackOverflowError e) {
            return List.of(new FieldError(pointer, "not a usable JSON Schema"));
        }
        for (Error e : errors) {
            String at = pointer + JsonSchema.pointer(e.getInstanceLocation());
            if (e.getProperty() != null && "required".equals(e.getKeyword())) {
                at = at + "/" + Templates.escape(e.getProperty());
            }
            problems.putIfAbsent(at, new FieldError(at, "not a valid JSON Schema: " + JsonSchema.stripLocation(e.getMessage())));
        }
        return List.copyOf(problems.values());
    }

    /** Every {@code pattern} and {@code patternProperties} name in schema positions must run on RE2/J. */
    private static void patternProblems(JsonNode schema, String pointer, List<FieldError> problems, int depth) {
        if (schema == null || !schema.isObject() || depth > Json.MAX_NESTING_DEPTH) {
            return;
        }
        JsonNode pattern = schema.get("pattern");
        if (pattern != null && pattern.isTextual()) {
            String problem = SchemaPatterns.problem(pattern.textValue());
            if (problem != null) {
                problems.add(new FieldError(pointer + "/pattern", problem));
            }
        }
        JsonNode patternProperties = schema.get("patternProperties");
        if (patternProperties != null && patternProperties.isObject()) {
            patternProperties.fieldNames().forEachRemaining(name -> {
                String problem = SchemaPatterns.problem(name);
                if (problem != null) {
                    problems.add(new FieldError(pointer + "/patternProperties/" + Templates.escape(name), problem));
                }
            });
        }
        for (var it = schema.fields(); it.hasNext(); ) {
            var field = it.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            String at = pointer + "/" + Templates.escape(key);
            if (ONE_SCHEMA.contains(key)) {
                patternProblems(value, at, problems, depth + 1);
            } else if (SCHEMA_ARRAYS.contains(key) && value.isArray()) {
                for (int i = 0; i < value.size(); i++) {
                    patternProblems(value.get(i), at + "/" + i, problems, depth + 1);
                }
            } else if (SCHEMA_ARRAYS.contains(key)) {
                patternProblems(value, at, problems, depth + 1);
            } else if (SCHEMA_MAPS.contains(key) && value.isObject()) {
                value.fields().forEachRemaining(sub -> patternProblems(sub.getValue(),
                        at + "/" + Templates.escape(sub.getKey()), problems, depth + 1));
            }
        }
    }

    /** A schema that cannot be compiled. */
    public static final class InvalidSchemaException extends RuntimeException {
        public InvalidSchemaException(String message) {
            super(message, null, false, false);
        }
    }
}
