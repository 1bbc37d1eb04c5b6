package dev.kickoff.core.schema;

import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** JSON Schema patterns: ECMA-262 meaning, a linear-time engine, a time budget, and what a definition may hold. */
class SchemaPatternsTest {
    static JsonSchema stringSchema(String pattern) {
        var schema = Json.object();
        schema.put("type", "object").putObject("properties").putObject("x").put("type", "string").put("pattern", pattern);
        return JsonSchemas.compile(schema);
    }

    static List<SchemaViolation> check(JsonSchema schema, String value) {
        var input = Json.object();
        input.put("x", value);
        return schema.validate(input);
    }

    /** On Java's engine this took about 100 s of a core, and went on after the client left. */
    @Test
    void nestedQuantifiersRunInLinearTime() {
        JsonSchema schema = stringSchema("^((a*)*)*b$");
        assertThat(check(schema, "a".repeat(28))).extracting(SchemaViolation::pointer, SchemaViolation::keyword)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("/x", "pattern"));
        assertThat(check(schema, "a".repeat(100_000))).extracting(SchemaViolation::keyword).containsExactly("pattern");
        assertThat(check(schema, "a".repeat(28) + "b")).isEmpty();
    }

    /** Java's engine recursed per repetition: a StackOverflowError, reported as a "$ref loop" in a schema without one. */
    @Test
    void longRepetitionsOfAlternativesPass() {
        JsonSchema schema = stringSchema("^(ab|cd)*$");
        assertThat(check(schema, "ab".repeat(3000))).isEmpty();
        assertThat(check(schema, "abcd".repeat(50_000))).isEmpty();
        assertThat(check(schema, "ab".repeat(3000) + "x")).extracting(SchemaViolation::keyword).containsExactly("pattern");
    }

    static Stream<Arguments> ecmaSemantics() {
        return Stream.of(
                // ECMA-262: '.' stops at every line terminator, not only \n
                Arguments.of("a.c", "a\nc", false),
                Arguments.of("a.c", "a\u2028c", false),
                Arguments.of("a.c", "a\rc", false),
                Arguments.of("a.c", "a\u00e9c", true),
                // with the u flag, one code point is one character
                Arguments.of("^.$", "\ud83d\ude00", true),
                // \s is ECMA's white space: no-break space and BOM included; \S its complement, also in classes
                Arguments.of("^\\s$", "\u00a0", true),
                Arguments.of("^\\s$", "\ufeff", true),
                Arguments.of("^\\S$", "\u3000", false),
                Arguments.of("^[\\s\\S]$", "\n", true),
                Arguments.of("^[^\\s]$", "\u2003", false),
                // $ is the end of the input only (Java's $ also matched before a final \n)
                Arguments.of("^a$", "a\n", false),
                // \d and \w are ASCII
                Arguments.of("^\\d$", "\u0663", false),
                Arguments.of("^\\w+$", "caf\u00e9", false),
                // ECMA escapes RE2 spells otherwise
                Arguments.of("^\\u0041$", "A", true),
                Arguments.of("^\\ud83d\\ude00$", "\ud83d\ude00", true),
                Arguments.of("^\\u{1F600}$", "\ud83d\ude00", true),
                Arguments.of("^\\cJ$", "\n", true),
                Arguments.of("^\\x41$", "A", true),
                Arguments.of("^[\\u0041-\\u005A]+$", "XYZ", true),
                Arguments.of("^a\\/b$", "a/b", true),
                Arguments.of("^[\\b]$", "\b", true),
                Arguments.of("^[^]$", "\n", true),
                Arguments.of("[]", "a", false),
                // Unicode properties in ECMA's spelling
                Arguments.of("^\\p{Script=Greek}+$", "\u03b1\u03b2", true),
                Arguments.of("^\\p{Letter}+$", "\u00e9t\u00e9", true),
                Arguments.of("^\\p{Lu}$", "a", false),
                // named groups, lazy quantifiers, the (?i) extension
                Arguments.of("^(?<year>\\d{4})-\\d{2}$", "2024-05", true),
                Arguments.of("^a+?$", "aaa", true),
                Arguments.of("(?i)^abc$", "ABC", true),
                // the seed's pattern; no anchors means anywhere
                Arguments.of("^cus_[a-zA-Z0-9]+$", "cus_123", true),
                Arguments.of("b", "abc", true));
    }

    @ParameterizedTest(name = "{0} against {1} is {2}")
    @MethodSource("ecmaSemantics")
    void patternsMeanWhatEcma262Says(String pattern, String input, boolean matches) {
        assertThat(check(stringSchema(pattern), input).isEmpty()).isEqualTo(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = {"(?=a)", "^(?!x).*$", "(?<=a)b", "(?<!a)b", "(a)\\1", "(?<n>a)\\k<n>", "a{1001}",
            "(a{1000}){1000}", "((a{1000}){1000}){1000}", "(a{100}){101}", "\\p{Emoji}", "(?m)^a$"})
    void whatALinearTimeEngineCannotRunIsUnsupported(String pattern) {
        assertThatThrownBy(() -> EcmaRegex.compile(pattern)).isInstanceOf(EcmaRegex.Unsupported.class)
                .hasMessageContaining(pattern.length() > 80 ? pattern.substring(0, 80) : pattern);
        assertThat(SchemaPatterns.problem(pattern)).contains("not").doesNotContain("Exception");
    }

    @ParameterizedTest
    @ValueSource(strings = {"(", "[a", "a{", "a{,5}", "\\q", "*a", "a**", "x{2,1}", "\\u12", "\\c1", "\\01"})
    void invalidPatternsAreInvalid(String pattern) {
        assertThatThrownBy(() -> EcmaRegex.compile(pattern)).isInstanceOf(EcmaRegex.Invalid.class)
                .hasMessageContaining("is not a valid regular expression");
    }

    /** Saved before patterns ran on RE2/J: still checked as before, on Java's engine, but never past the budget. */
    @Test
    void aStoredPatternThatNeedsBacktrackingRunsWithinTheBudget() {
        JsonSchema lookahead = stringSchema("^(?=.*\\d)[a-z0-9]{4,}$");
        assertThat(check(lookahead, "abc1")).isEmpty();
        assertThat(check(lookahead, "abcd")).extracting(SchemaViolation::keyword).containsExactly("pattern");

        JsonSchema catastrophic = stringSchema("^(?=a)((a*)*)*b$");
        var input = Json.object();
        input.put("x", "a".repeat(40));
        assertThat(catastrophic.validate(input)).containsExactly(JsonSchema.OUT_OF_TIME);
        PreparedInput prepared = catastrophic.prepare(input);
        assertThat(prepared.valid()).isFalse();
        assertThat(prepared.findings()).extracting(SchemaFinding::keyword).containsExactly("timeLimit");
    }

    @Test
    void patternPropertiesUseTheSameEngineForShapingAndValidation() {
        JsonSchema schema = JsonSchemas.compile(Json.parse("""
                {"type": "object", "additionalProperties": false,
                 "patternProperties": {"^(ab|cd)*$": {"type": "integer"}, "^x\\\\s$": {"type": "string"}}}"""));
        var input = Json.object();
        input.put("ab".repeat(3000), 1);
        input.put("x\u00a0", "kept");
        input.put("x\n\n", "dropped");
        PreparedInput prepared = schema.prepare(input);
        assertThat(prepared.findings()).isEmpty();
        assertThat(prepared.value().has("ab".repeat(3000))).isTrue();
        assertThat(prepared.value().has("x\u00a0")).isTrue();
        assertThat(prepared.value().has("x\n\n")).isFalse();
    }

    static List<FieldError> definitionProblems(String schema) {
        return JsonSchemas.definitionCheck().check(Json.parse(schema), "/inputSchema");
    }

    @Test
    void aDefinitionIsRefusedForAPatternItCouldNotRunInLinearTimeWithItsPointer() {
        var problems = definitionProblems("""
                {"type": "object",
                 "properties": {"code": {"type": "string", "pattern": "^(?=.*\\\\d).{8,}$"},
                                "list": {"type": "array", "items": {"pattern": "(a{1000}){1000}"}}},
                 "patternProperties": {"(a)\\\\1": {}},
                 "$defs": {"d": {"anyOf": [{"pattern": "ok"}, {"not": {"pattern": "("}}]}},
                 "default": {"pattern": "(?=data, not a schema)"},
                 "examples": [{"pattern": "(?=data)"}]}""");
        assertThat(problems).extracting(FieldError::path).containsExactlyInAnyOrder(
                "/inputSchema/properties/code/pattern", "/inputSchema/properties/list/items/pattern",
                "/inputSchema/patternProperties/(a)\\1", "/inputSchema/$defs/d/anyOf/1/not/pattern");
        assertThat(problems).filteredOn(p -> p.path().endsWith("code/pattern")).first()
                .extracting(FieldError::message).asString().contains("lookahead");
        assertThat(definitionProblems("""
                {"type": "object", "properties": {"x": {"type": "string", "pattern": "^((a*)*)*b$"},
                 "y": {"type": "string", "pattern": "^(ab|cd)*$"}}}""")).isEmpty();
    }
}
