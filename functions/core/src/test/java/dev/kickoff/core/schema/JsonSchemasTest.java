package dev.kickoff.core.schema;

import dev.kickoff.core.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JsonSchemasTest {
    static final JsonSchema SCHEMA = JsonSchemas.compile(Json.parse("""
            {"type": "object", "required": ["amount", "customer"],
             "properties": {
               "amount": {"type": "number", "minimum": 1},
               "currency": {"type": "string", "enum": ["usd", "eur"]},
               "customer": {"type": "object", "required": ["email"],
                            "properties": {"email": {"type": "string", "format": "email"}}},
               "items": {"type": "array", "items": {"type": "object",
                         "properties": {"qty": {"type": "integer"}}}}},
             "additionalProperties": false}"""));

    static List<SchemaViolation> check(String json) {
        return SCHEMA.validate(Json.parse(json));
    }

    @Test
    void seedMessageAndPointer() {
        var v = check("{\"amount\": \"42\", \"customer\": {\"email\": \"a@b.co\"}}");
        assertThat(v).containsExactly(new SchemaViolation("/amount", "type", "value at `/amount` is not a number"));
    }

    @Test
    void nestedArrayRequiredAndAdditionalPointers() {
        var v = check("{\"customer\": {}, \"items\": [{\"qty\": 1}, {\"qty\": 1.5}], \"extra\": true, \"currency\": \"gbp\"}");
        assertThat(v).extracting(SchemaViolation::pointer).containsExactlyInAnyOrder(
                "/amount", "/customer/email", "/items/1/qty", "/extra", "/currency");
        assertThat(v).filteredOn(x -> x.pointer().equals("/amount")).first()
                .extracting(SchemaViolation::message).isEqualTo("value at `/amount` is required");
        assertThat(v).filteredOn(x -> x.pointer().equals("/items/1/qty")).first()
                .extracting(SchemaViolation::message).isEqualTo("value at `/items/1/qty` is not an integer");
        assertThat(v).filteredOn(x -> x.pointer().equals("/currency")).first()
                .extracting(SchemaViolation::message).isEqualTo("value at `/currency` must be one of usd, eur");
    }

    @Test
    void validDocumentsPass() {
        assertThat(check("{\"amount\": 42, \"customer\": {\"email\": \"a@b.co\"}, \"items\": [{\"qty\": 2}]}")).isEmpty();
    }

    @Test
    void remoteReferencesAreNeverFetched() {
        var schema = Json.parse("{\"$ref\": \"http://169.254.169.254/latest/meta-data/schema.json\"}");
        var problems = JsonSchemas.definitionCheck().check(schema, "/inputSchema");
        // Either refused when compiled or when used; never a network call (the address is unroutable here).
        boolean refused = !problems.isEmpty();
        if (!refused) {
            try {
                JsonSchemas.compile(schema).validate(Json.object());
            } catch (RuntimeException e) {
                refused = true;
            }
        }
        assertThat(refused).isTrue();
    }

    @Test
    void aSchemaForSomethingOtherThanAnObjectIsAProblem() {
        assertThat(JsonSchemas.definitionCheck().check(Json.parse("{\"type\": \"string\"}"), "/attributeSchema"))
                .extracting(p -> p.path()).containsExactly("/attributeSchema/type");
    }

    static List<dev.kickoff.core.error.FieldError> definitionProblems(String schema) {
        return JsonSchemas.definitionCheck().check(Json.parse(schema), "/inputSchema");
    }

    /** These compiled, and then did nothing (multipleOf 0) or something undefined; the meta-schema refuses them. */
    @Test
    void schemasTheMetaSchemaRefusesAreRefusedWithPointersIntoTheDefinition() {
        var problems = definitionProblems("""
                {"type": "object", "required": ["a"],
                 "properties": {"a": {"type": "number", "multipleOf": 0}, "b": {"type": "string", "minLength": -1},
                                "c": {"type": "strin"}, "d": {"type": "array", "minItems": 1.5},
                                "e": {"enum": "not an array"}, "f": {"required": "x"}}}""");
        assertThat(problems).extracting(p -> p.path()).containsExactly("/inputSchema/properties/a/multipleOf",
                "/inputSchema/properties/b/minLength", "/inputSchema/properties/c/type", "/inputSchema/properties/d/minItems",
                "/inputSchema/properties/e/enum", "/inputSchema/properties/f/required");
        assertThat(problems).allSatisfy(p -> assertThat(p.message()).startsWith("not a valid JSON Schema: ")
                .doesNotContain("$."));
        assertThat(definitionProblems("""
                {"type": "object", "properties": {"a": {"type": "number", "multipleOf": 0.01, "minimum": 0},
                 "b": {"type": ["string", "null"], "minLength": 0, "format": "email"}}}""")).isEmpty();
    }

    @Test
    void aDeclaredDraftIsCheckedAgainstItsOwnMetaSchema() {
        assertThat(definitionProblems("""
                {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
                 "properties": {"a": {"type": "number", "exclusiveMinimum": 0}}}""")).isEmpty();
        assertThat(definitionProblems("""
                {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
                 "properties": {"a": {"type": "number", "exclusiveMinimum": true}}}"""))
                .extracting(p -> p.path()).containsExactly("/inputSchema/properties/a/exclusiveMinimum");
        assertThat(definitionProblems("{\"$schema\": \"https://example.com/my-dialect\", \"type\": \"object\"}"))
                .extracting(p -> p.path()).containsExactly("/inputSchema/$schema");
    }
}
