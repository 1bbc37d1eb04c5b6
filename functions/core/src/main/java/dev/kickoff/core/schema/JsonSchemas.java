package dev.kickoff.core.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.workflow.WorkflowDefinitions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON Schema (2020-12 by default) through networknt's validator. Customer schemas never reach the network:
 * remote {@code $ref}s are not fetched (they would be a server-side request forgery vector and a way to hang a
 * request). Compiled schemas are cached by their text, since the same schema is checked on every request.
 */
public final class JsonSchemas {
    private static final int CACHE_LIMIT = 512;
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false)));
    private static final Map<String, JsonSchema> CACHE = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JsonSchema> eldest) {
            return size() > CACHE_LIMIT;
        }
    };

    private JsonSchemas() {
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

    /** A definition check: the schema at {@code pointer} must compile, and must describe an object. */
    public static WorkflowDefinitions.SchemaCheck definitionCheck() {
        return (schema, pointer) -> {
            List<FieldError> problems = new ArrayList<>();
            if (schema.isObject() && schema.has("type") && !"object".equals(schema.get("type").asText())) {
                problems.add(new FieldError(pointer + "/type", "the schema must describe an object (\"type\": \"object\")"));
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

    /** A schema that cannot be compiled. */
    public static final class InvalidSchemaException extends RuntimeException {
        public InvalidSchemaException(String message) {
            super(message, null, false, false);
        }
    }
}
