package dev.kickoff.core.template;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * One filter application in a pipeline. Filters that take an item expression ({@code map: 'quantity * price'})
 * have it compiled once, when the template is parsed, into {@link #itemExpression}.
 */
record FilterCall(String name, Filters.Spec spec, List<Expr> args, Expr itemExpression) {
    JsonNode apply(JsonNode input, JsonNode scope, Budget budget) {
        List<JsonNode> values = new ArrayList<>(args.size());
        for (Expr arg : args) {
            values.add(Values.orNull(arg.eval(scope, budget)));
        }
        return spec.impl().apply(new Filters.Call(name, input, values, itemExpression, budget));
    }
}
