package dev.kickoff.core.schema;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The regular expressions of customer schemas ({@code pattern}, {@code patternProperties}, {@code format: regex}),
 * for networknt's validator and for {@link SchemaShaping}: ECMA-262 on RE2/J ({@link EcmaRegex}), always under
 * the {@link RegexBudget}. A definition is saved only if each of its patterns compiles there ({@link #problem});
 * a pattern that does not but was saved before (lookahead, say) still runs as it did, on Java's engine, bounded
 * by the same budget, so that a workflow that worked keeps working.
 */
final class SchemaPatterns implements RegularExpressionFactory {
    static final SchemaPatterns INSTANCE = new SchemaPatterns();
    private static final int CACHE_LIMIT = 1024;
    private static final Map<String, Predicate<String>> CACHE = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Predicate<String>> eldest) {
            return size() > CACHE_LIMIT;
        }
    };

    private SchemaPatterns() {
    }

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Predicate<String> compiled = compile(regex);
        return compiled::test;
    }

    /** Null when the pattern may be saved in a definition, else why not, in words for the author. */
    static String problem(String regex) {
        try {
            EcmaRegex.compile(regex);
            return null;
        } catch (EcmaRegex.Invalid e) {
            return e.getMessage();
        }
    }

    /** A matcher with find semantics; throws {@link EcmaRegex.Invalid} when neither engine can compile it. */
    static Predicate<String> compile(String regex) {
        synchronized (CACHE) {
            Predicate<String> cached = CACHE.get(regex);
            if (cached != null) {
                return cached;
            }
        }
        Predicate<String> compiled;
        try {
            compiled = EcmaRegex.compile(regex)::find;
        } catch (EcmaRegex.Invalid e) {
            Pattern legacy;
            try {
                legacy = Pattern.compile(regex);
            } catch (PatternSyntaxException | StackOverflowError notJava) {
                throw e;
            }
            compiled = value -> {
                try {
                    return legacy.matcher(RegexBudget.watch(value)).find();
                } catch (StackOverflowError deep) {
                    throw new RegexBudget.Exceeded();
                }
            };
        }
        synchronized (CACHE) {
            CACHE.put(regex, compiled);
        }
        return compiled;
    }
}
