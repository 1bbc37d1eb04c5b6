package dev.kickoff.core.template;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.json.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TemplatesTest {
    static final JsonNode SCOPE = Json.parse("""
            {"input": {"customerId": "cus_1", "customer": {"id": "cus_xxx", "email": "customer@example.com"},
                       "items": [{"product": "Widget", "quantity": 2, "price": 1999},
                                 {"product": "Gadget", "quantity": 1, "price": 500.5}],
                       "tags": ["a", "b"], "count": "42"},
             "steps": {"calculate-total": {"output": {"total": 4317.84, "lines": [1, 2]}}}}
            """);

    static JsonNode eval(String template) {
        return Template.parse(template).evaluate(SCOPE, Budget.standard());
    }

    @Test
    void seedOrderTotalsAreExactDecimals() {
        JsonNode mapping = Json.parse("""
                {"subtotal": "{{input.items | map: 'quantity * price' | sum}}",
                 "tax": "{{input.items | map: 'quantity * price' | sum | times: 0.08}}",
                 "total": "{{input.items | map: 'quantity * price' | sum | times: 1.08}}"}
                """);
        JsonNode seedScope = Json.parse("""
                {"input": {"items": [{"product": "Widget", "quantity": 2, "price": 1999}]}}""");
        JsonNode out = Templates.resolve(mapping, seedScope, Budget.standard(), "/mapping");
        assertThat(Json.write(out)).isEqualTo("{\"subtotal\":3998,\"tax\":319.84,\"total\":4317.84}");
    }

    @Test
    void seedPathsResolveIncludingIndexesAndHyphenatedStepIds() {
        assertThat(eval("{{input.customer.email}}").textValue()).isEqualTo("customer@example.com");
        assertThat(eval("Order for {{input.items.0.product}}").textValue()).isEqualTo("Order for Widget");
        assertThat(eval("{{input.items[1].product}}").textValue()).isEqualTo("Gadget");
        assertThat(eval("{{ steps.calculate-total.output.total }}").decimalValue()).isEqualByComparingTo("4317.84");
        assertThat(eval("Total: ${{steps.calculate-total.output.total}}").textValue()).isEqualTo("Total: $4317.84");
    }

    @Test
    void aWholeValueTemplateKeepsItsJsonType() {
        assertThat(eval("{{input.customer}}").isObject()).isTrue();
        assertThat(eval("{{input.tags}}").isArray()).isTrue();
        assertThat(eval("{{input.items.0.quantity}}").isIntegralNumber()).isTrue();
        assertThat(eval("{{input}}").get("customerId").textValue()).isEqualTo("cus_1");
        // not a whole-value template: surrounding text makes it a string
        assertThat(eval(" {{input.items.0.quantity}}").textValue()).isEqualTo(" 2");
        assertThat(eval("{{input.tags}}!").textValue()).isEqualTo("[\"a\",\"b\"]!");
    }

    @Test
    void missingValuesAreNullAndInterpolateAsEmpty() {
        assertThat(eval("{{input.customerEmail}}").isNull()).isTrue();
        assertThat(eval("to: {{input.customerEmail}}.").textValue()).isEqualTo("to: .");
        assertThat(eval("{{input.nothing.deeper.still}}").isNull()).isTrue();
        assertThat(eval("{{input.customerEmail | default: 'none'}}").textValue()).isEqualTo("none");
        assertThat(eval("{{input.customerEmail | upcase}}").isNull()).isTrue();
    }

    @Test
    void filtersWork() {
        assertThat(eval("{{input.items | map: 'product' | join: ', '}}").textValue()).isEqualTo("Widget, Gadget");
        assertThat(eval("{{input.items | size}}").intValue()).isEqualTo(2);
        assertThat(eval("{{input.items | sum: 'price'}}").decimalValue()).isEqualByComparingTo("2499.5");
        assertThat(eval("{{input.items | max: 'price' }}").intValue()).isEqualTo(1999);
        assertThat(eval("{{input.items | where: 'product', 'Gadget' | map: 'price' | first}}").decimalValue())
                .isEqualByComparingTo("500.5");
        assertThat(eval("{{input.count | plus: 1}}").intValue()).isEqualTo(43);
        assertThat(eval("{{10 | divided_by: 4}}").decimalValue()).isEqualByComparingTo("2.5");
        assertThat(eval("{{2.345 | round: 2}}").decimalValue()).isEqualByComparingTo("2.35");
        assertThat(eval("{{input.items | map: '(quantity + 1) * -price' | first}}").intValue()).isEqualTo(-5997);
        assertThat(eval("{{ 'a,b,c' | split: ',' | reverse | join: '-' }}").textValue()).isEqualTo("c-b-a");
        assertThat(eval("{{input.customer | json}}").textValue())
                .isEqualTo("{\"id\":\"cus_xxx\",\"email\":\"customer@example.com\"}");
        assertThat(eval("{{ '<b>' | escape }}").textValue()).isEqualTo("&lt;b&gt;");
        assertThat(eval("{{ true }}").booleanValue()).isTrue();
    }

    @Test
    void typeErrorsNameTheFilter() {
        assertThatThrownBy(() -> eval("{{input.customer.email | times: 2}}"))
                .isInstanceOf(TemplateException.class).hasMessageContaining("times expects a number, got a string");
        assertThatThrownBy(() -> eval("{{input.items | map: 'product * 2'}}"))
                .hasMessageContaining("'product * 2' expects a number");
        assertThatThrownBy(() -> eval("{{input.customer | sum}}")).hasMessageContaining("sum expects an array");
        assertThatThrownBy(() -> eval("{{ 1 | divided_by: 0 }}")).hasMessageContaining("division by zero");
    }

    @Test
    void parseErrorsAreReportedWithTheirPointer() {
        JsonNode config = Json.parse("""
                {"a": "{{input.x | frobnicate}}", "b": ["ok", "{{input.y"], "c": "{{ input.z | map }}",
                 "d": "{{ input | map: quantity }}", "e": "{{}}"}""");
        var problems = Templates.check(config, "/steps/0/config");
        assertThat(problems).extracting(p -> p.path()).containsExactly(
                "/steps/0/config/a", "/steps/0/config/b/1", "/steps/0/config/c", "/steps/0/config/d",
                "/steps/0/config/e");
        assertThat(problems.get(0).message()).contains("unknown filter 'frobnicate'");
        assertThat(problems.get(1).message()).contains("unclosed '{{'");
        assertThat(problems.get(2).message()).contains("takes 1 argument");
        assertThat(problems.get(3).message()).contains("quoted expression");
    }

    @Test
    void evaluationIsBoundedInWorkAndOutput() {
        StringBuilder big = new StringBuilder("[");
        for (int i = 0; i < 5000; i++) {
            big.append(i == 0 ? "" : ",").append("{\"q\":1,\"p\":2}");
        }
        JsonNode scope = Json.parse("{\"input\":{\"items\":" + big + "]}}");
        Template t = Template.parse("{{input.items | map: 'q * p' | sum}}");
        assertThat(t.evaluate(scope, Budget.standard()).intValue()).isEqualTo(10000);
        assertThatThrownBy(() -> t.evaluate(scope, new Budget(1000, 1000, 1000)))
                .hasMessageContaining("exceeded 1000 operations");
        Template text = Template.parse("{{input.items | json}}");
        assertThatThrownBy(() -> text.evaluate(scope, new Budget(1_000_000, 1000, 100)))
                .hasMessageContaining("output exceeds 100 characters");
        assertThatThrownBy(() -> Template.parse("x".repeat(Template.MAX_LENGTH + 1)))
                .hasMessageContaining("longer than");
    }

    @Test
    void hugeNumbersAreRefusedQuicklyInsteadOfExpandedToBillionsOfDigits() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> eval("{{ '1e99999999' | ceil }}")).isInstanceOf(TemplateException.class)
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> eval("{{ '1e200' | times: '1e200' }}")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> eval("{{ input.items | map: 'quantity * \\'1e999\\'' }}"))
                .isInstanceOf(TemplateException.class);
        assertThat(eval("{{ '1e300' | times: 1 }}").decimalValue()).isEqualByComparingTo("1e300");
        assertThat(System.nanoTime() - start).as("no expansion happened").isLessThan(2_000_000_000L);
    }

    @Test
    void deeplyNestedExpressionsAreRefusedNotStackOverflows() {
        String deep = "(".repeat(500) + "1" + ")".repeat(500);
        assertThatThrownBy(() -> Template.parse("{{ x | map: '" + deep + "' }}"))
                .isInstanceOf(TemplateException.class).hasMessageContaining("nests too deeply");
    }
}
