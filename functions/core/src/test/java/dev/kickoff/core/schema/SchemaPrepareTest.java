package dev.kickoff.core.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Defaults and stripping at the API edge: {@link JsonSchema#prepare}. */
class SchemaPrepareTest {
    /** Seed 003's "Create Invoice" inputSchema. */
    static final JsonSchema INVOICE = JsonSchemas.compile(Json.parse("""
            {"type": "object", "required": ["customerId", "amount"],
             "properties": {
               "customerId": {"type": "string", "pattern": "^cus_[a-zA-Z0-9]+$"},
               "amount": {"type": "number", "minimum": 100},
               "currency": {"type": "string", "enum": ["usd", "eur", "gbp"], "default": "usd"}}}"""));

    static PreparedInput prepare(JsonSchema schema, String input) {
        return schema.prepare(Json.parse(input));
    }

    @Test
    void seedDefaultIsAppliedAndTheInputIsLeftAlone() {
        JsonNode original = Json.parse("{\"customerId\": \"cus_xxx\", \"amount\": 9900}");
        PreparedInput p = INVOICE.prepare(original);
        assertThat(p.valid()).isTrue();
        assertThat(Json.write(p.value())).isEqualTo("{\"customerId\":\"cus_xxx\",\"amount\":9900,\"currency\":\"usd\"}");
        assertThat(Json.write(original)).doesNotContain("currency");
    }

    @Test
    void aValueThatIsPresentIsNeverReplacedByTheDefault() {
        assertThat(Json.write(prepare(INVOICE, "{\"customerId\": \"cus_1\", \"amount\": 100, \"currency\": \"eur\"}")
                .value())).contains("\"currency\":\"eur\"");
        // null is a value: the schema then refuses it rather than Kickoff silently replacing it
        PreparedInput nulled = prepare(INVOICE, "{\"customerId\": \"cus_1\", \"amount\": 100, \"currency\": null}");
        assertThat(nulled.findings()).extracting(f -> f.violation().pointer()).containsOnly("/currency");
    }

    @Test
    void seedValidationFindingsCarryZodStylePathsAndTheValues() {
        PreparedInput p = prepare(INVOICE, "{\"amount\": 5, \"currency\": \"jpy\"}");
        assertThat(p.findings()).extracting(SchemaFinding::keyword)
                .containsExactlyInAnyOrder("required", "minimum", "enum");
        SchemaFinding missing = p.findings().stream().filter(f -> f.keyword().equals("required")).findFirst().orElseThrow();
        assertThat(missing.path()).containsExactly("customerId");
        assertThat(missing.value()).isNull();
        assertThat(missing.violation().message()).isEqualTo("value at `/customerId` is required");
        SchemaFinding minimum = p.findings().stream().filter(f -> f.keyword().equals("minimum")).findFirst().orElseThrow();
        assertThat(minimum.keywordValue().asInt()).isEqualTo(100);
        assertThat(minimum.value().asInt()).isEqualTo(5);
    }

    @Test
    void arrayIndicesAreIntegersInPaths() {
        JsonSchema schema = JsonSchemas.compile(Json.parse("""
                {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object",
                  "required": ["productId"], "properties": {"quantity": {"type": "number", "minimum": 1}}}}}}"""));
        PreparedInput p = prepare(schema, "{\"items\": [{\"productId\": \"a\", \"quantity\": 1}, {\"quantity\": 0}]}");
        assertThat(p.findings()).extracting(SchemaFinding::path).containsExactlyInAnyOrder(
                List.of("items", 1, "productId"), List.of("items", 1, "quantity"));
    }

    @Test
    void unknownFieldsOfClosedObjectsAreStrippedInsteadOfRefused() {
        JsonSchema schema = JsonSchemas.compile(Json.parse("""
                {"type": "object", "additionalProperties": false,
                 "properties": {"customerId": {"type": "string"},
                   "address": {"type": "object", "additionalProperties": false,
                               "properties": {"city": {"type": "string"}}},
                   "tags": {"type": "array", "items": {"type": "object", "additionalProperties": false,
                            "properties": {"name": {"type": "string"}}}},
                   "meta": {"type": "object"}},
                 "patternProperties": {"^x-": {"type": "string"}}}"""));
        PreparedInput p = prepare(schema, """
                {"customerId": "c", "extra": 1, "x-trace": "t",
                 "address": {"city": "Oslo", "zip": "0150"},
                 "tags": [{"name": "a", "color": "red"}],
                 "meta": {"anything": true}}""");
        assertThat(p.valid()).as(p.findings().toString()).isTrue();
        assertThat(Json.write(p.value())).isEqualTo("{\"customerId\":\"c\",\"x-trace\":\"t\",\"address\":{\"city\":\"Oslo\"},"
                + "\"tags\":[{\"name\":\"a\"}],\"meta\":{\"anything\":true}}");
    }

    @Test
    void openObjectsKeepUnknownFields() {
        PreparedInput p = prepare(INVOICE, "{\"customerId\": \"cus_1\", \"amount\": 100, \"note\": \"hi\"}");
        assertThat(p.value().get("note").asText()).isEqualTo("hi");
    }

    @Test
    void defaultsApplyThroughNestedObjectsRefsAllOfAndArrays() {
        JsonSchema schema = JsonSchemas.compile(Json.parse("""
                {"type": "object",
                 "$defs": {"options": {"type": "object", "properties": {"format": {"type": "string", "default": "pdf"}}},
                           "retries": {"type": "integer", "default": 3}},
                 "allOf": [{"properties": {"priority": {"default": "normal"}}}],
                 "properties": {
                   "options": {"$ref": "#/$defs/options"},
                   "retries": {"$ref": "#/$defs/retries"},
                   "lines": {"type": "array", "items": {"type": "object",
                             "properties": {"qty": {"type": "integer", "default": 1}}}},
                   "nested": {"type": "object", "default": {}, "properties": {"on": {"type": "boolean", "default": true}}}}}"""));
        PreparedInput p = prepare(schema, "{\"options\": {}, \"lines\": [{}, {\"qty\": 5}]}");
        assertThat(p.valid()).as(p.findings().toString()).isTrue();
        JsonNode v = p.value();
        assertThat(v.at("/options/format").asText()).isEqualTo("pdf");
        assertThat(v.at("/retries").asInt()).isEqualTo(3);
        assertThat(v.at("/priority").asText()).isEqualTo("normal");
        assertThat(v.at("/lines/0/qty").asInt()).isEqualTo(1);
        assertThat(v.at("/lines/1/qty").asInt()).isEqualTo(5);
        // a defaulted object is itself shaped: its own defaults apply
        assertThat(v.at("/nested/on").asBoolean()).isTrue();
    }

    @Test
    void requiredPropertiesWithADefaultAreSatisfiedByIt() {
        JsonSchema schema = JsonSchemas.compile(Json.parse("""
                {"type": "object", "required": ["mode"], "properties": {"mode": {"type": "string", "default": "live"}}}"""));
        assertThat(prepare(schema, "{}").valid()).isTrue();
    }

    @Test
    void anyOfAndOneOfBranchesAreNotGuessed() {
        JsonSchema schema = JsonSchemas.compile(Json.parse("""
                {"type": "object", "anyOf": [
                   {"properties": {"a": {"default": 1}}, "additionalProperties": false},
                   {"properties": {"b": {"default": 2}}}]}"""));
        PreparedInput p = prepare(schema, "{\"c\": 3}");
        assertThat(Json.write(p.value())).isEqualTo("{\"c\":3}");
    }

    @Test
    void aDefaultThatBreaksItsSchemaIsStillReported() {
        JsonSchema schema = JsonSchemas.compile(Json.parse("""
                {"type": "object", "properties": {"n": {"type": "integer", "default": "seven"}}}"""));
        assertThat(prepare(schema, "{}").findings()).extracting(f -> f.violation().pointer()).containsExactly("/n");
    }

    @Test
    void recursiveSchemasAreShapedAsDeepAsTheInput() {
        JsonSchema schema = JsonSchemas.compile(Json.parse("""
                {"$defs": {"node": {"type": "object",
                  "properties": {"child": {"$ref": "#/$defs/node"}, "v": {"default": 0}}}},
                 "$ref": "#/$defs/node"}"""));
        PreparedInput p = prepare(schema, "{\"child\": {\"child\": {}}}");
        assertThat(p.value().at("/child/child/v").asInt()).isZero();
        assertThat(p.value().at("/v").asInt()).isZero();
    }

    @Test
    void shapingTerminatesOnSchemasThatReferToThemselvesWithoutEnd() {
        var schema = Json.parse("""
                {"$defs": {"node": {"allOf": [{"$ref": "#/$defs/node"}, {"$ref": "#/$defs/node"}],
                  "properties": {"v": {"default": 0}}}}, "$ref": "#/$defs/node"}""");
        var instance = Json.object();
        SchemaShaping.apply(schema, instance);
        assertThat(instance.get("v").asInt()).isZero();
    }

    @Test
    void aSchemaThatRecursesForeverIsRefusedWhenSavedNotAtEveryRun() {
        var schema = Json.parse("""
                {"$defs": {"node": {"type": "object", "allOf": [{"$ref": "#/$defs/node"}]}}, "$ref": "#/$defs/node"}""");
        assertThat(JsonSchemas.definitionCheck().check(schema, "/inputSchema"))
                .singleElement().satisfies(e -> assertThat(e.message()).contains("refers to itself"));
    }
}
