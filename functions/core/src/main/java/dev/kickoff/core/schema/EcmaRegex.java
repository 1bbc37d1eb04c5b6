package dev.kickoff.core.schema;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * JSON Schema's regular expressions (ECMA-262 with the {@code u} flag, as the spec asks) run on RE2/J, a
 * linear-time engine: no pattern can backtrack exponentially ({@code ^((a*)*)*b$} against 28 {@code a}s took
 * about 100 s on Java's engine), and nothing recurses per character ({@code ^(ab|cd)*$} against 6,000
 * characters overflowed Java's stack). The ECMA-262 syntax is translated into RE2's, keeping ECMA's meaning
 * where the two differ: {@code .} excludes every line terminator (\n, \r, U+2028, U+2029), {@code \s} and
 * {@code \S} are ECMA's Unicode white space, {@code \}{@code uXXXX} (surrogate pairs joined),
 * {@code \}{@code u{...}}, {@code \}{@code cX}, {@code \0}, {@code [^]} and {@code []} work, and
 * {@code \p{Script=Greek}} or {@code \p{Letter}} become RE2's names. {@code $} and {@code ^} match only at the
 * ends of the input in both.
 *
 * <p>What a linear-time engine cannot do is {@link Unsupported refused}: lookahead and lookbehind,
 * backreferences, repetition counts over 1,000, and patterns whose compiled program would exceed
 * {@link #MAX_PROGRAM} instructions ({@code (a{1000}){1000}} would be a million, and cost a core minutes per
 * check). The one extension is the inline flag {@code (?i)} / {@code (?i:...)}, which ES2025 has as a modifier.
 */
final class EcmaRegex {
    /** Longest pattern accepted, in characters. */
    static final int MAX_LENGTH = 4096;
    /** Largest compiled program, in RE2 instructions; the work per input character is bounded by it. */
    static final int MAX_PROGRAM = 10_000;
    /** RE2's own bound on {@code {n,m}}. */
    static final int MAX_REPEAT = 1000;

    /** ECMA-262 WhiteSpace and LineTerminator, as RE2 class ranges. */
    private static final String SPACE = "\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}"
            + "\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}";
    /** Everything else: the complement of {@link #SPACE}, so that it can stand inside a class too. */
    private static final String NOT_SPACE = "\\x{0}-\\x{8}\\x{E}-\\x{1F}\\x{21}-\\x{9F}\\x{A1}-\\x{167F}"
            + "\\x{1681}-\\x{1FFF}\\x{200B}-\\x{2027}\\x{202A}-\\x{202E}\\x{2030}-\\x{205E}\\x{2060}-\\x{2FFF}"
            + "\\x{3001}-\\x{FEFE}\\x{FF00}-\\x{10FFFF}";
    private static final String DOT = "[^\\n\\r\\x{2028}\\x{2029}]";

    private static final Map<String, String> CATEGORIES = Map.ofEntries(
            Map.entry("Letter", "L"), Map.entry("Uppercase_Letter", "Lu"), Map.entry("Lowercase_Letter", "Ll"),
            Map.entry("Titlecase_Letter", "Lt"), Map.entry("Modifier_Letter", "Lm"), Map.entry("Other_Letter", "Lo"),
            Map.entry("Mark", "M"), Map.entry("Combining_Mark", "M"), Map.entry("Nonspacing_Mark", "Mn"),
            Map.entry("Spacing_Mark", "Mc"), Map.entry("Enclosing_Mark", "Me"), Map.entry("Number", "N"),
            Map.entry("Decimal_Number", "Nd"), Map.entry("digit", "Nd"), Map.entry("Letter_Number", "Nl"),
            Map.entry("Other_Number", "No"), Map.entry("Punctuation", "P"), Map.entry("punct", "P"),
            Map.entry("Connector_Punctuation", "Pc"), Map.entry("Dash_Punctuation", "Pd"),
            Map.entry("Open_Punctuation", "Ps"), Map.entry("Close_Punctuation", "Pe"),
            Map.entry("Initial_Punctuation", "Pi"), Map.entry("Final_Punctuation", "Pf"),
            Map.entry("Other_Punctuation", "Po"), Map.entry("Symbol", "S"), Map.entry("Math_Symbol", "Sm"),
            Map.entry("Currency_Symbol", "Sc"), Map.entry("Modifier_Symbol", "Sk"), Map.entry("Other_Symbol", "So"),
            Map.entry("Separator", "Z"), Map.entry("Space_Separator", "Zs"), Map.entry("Line_Separator", "Zl"),
            Map.entry("Paragraph_Separator", "Zp"), Map.entry("Other", "C"), Map.entry("Control", "Cc"),
            Map.entry("cntrl", "Cc"), Map.entry("Format", "Cf"), Map.entry("Surrogate", "Cs"),
            Map.entry("Private_Use", "Co"));

    private final com.google.re2j.Pattern pattern;

    private EcmaRegex(com.google.re2j.Pattern pattern) {
        this.pattern = pattern;
    }

    /** A pattern that is not valid ECMA-262. */
    static class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message, null);
        }
    }

    /** Valid ECMA-262 that Kickoff does not run: it needs backtracking, or its program would be too large. */
    static final class Unsupported extends Invalid {
        Unsupported(String message) {
            super(message);
        }
    }

    /** Compiles an ECMA-262 pattern; throws {@link Invalid} (or {@link Unsupported}) saying why not. */
    static EcmaRegex compile(String ecma) {
        String re2 = translate(ecma);
        com.google.re2j.Pattern compiled;
        try {
            compiled = com.google.re2j.Pattern.compile(re2);
        } catch (com.google.re2j.PatternSyntaxException e) {
            // What the translation let through and RE2/J still refuses: an unknown \\p{...} name, a reversed range.
            String why = String.valueOf(e.getMessage()).replaceFirst("^error parsing regexp: ", "");
            throw new Unsupported("the pattern " + quote(ecma) + " is not valid or not supported: " + why);
        }
        int size = compiled.matcher("").programSize();
        if (size > MAX_PROGRAM) {
            throw tooLarge(ecma);
        }
        return new EcmaRegex(compiled);
    }

    /** ECMA-262 {@code RegExp.prototype.test} without flags: a match anywhere in the input, in bounded time. */
    boolean find(String input) {
        return pattern.matcher(RegexBudget.watch(input)).find();
    }

    private static Unsupported tooLarge(String ecma) {
        return new Unsupported("the pattern " + quote(ecma) + " is not supported: it is too large to check in bounded time (its "
                + "repetitions multiply to more than " + MAX_PROGRAM + " steps per character); use smaller bounds, or "
                + "maxLength for lengths");
    }

    static String quote(String pattern) {
        return "`" + (pattern.length() > 80 ? pattern.substring(0, 80) + "…" : pattern) + "`";
    }

    /** The pattern in RE2's syntax with ECMA-262's meaning; refuses what cannot be translated. */
    static String translate(String p) {
        if (p.length() > MAX_LENGTH) {
            throw new Unsupported("the pattern is longer than " + MAX_LENGTH + " characters");
        }
        Translator t = new Translator(p);
        t.run();
        return t.out.toString();
    }

    /** One pass over the pattern, writing RE2 syntax and estimating the program's size as it goes. */
    private static final class Translator {
        /** Estimates beyond this are refused before RE2/J compiles them (compiling a huge program is itself costly). */
        private static final long ESTIMATE_LIMIT = 20L * MAX_PROGRAM;

        final String p;
        final StringBuilder out = new StringBuilder();
        int i;
        /** Per open group: cost of finished alternatives, of the current one, and of the last atom. */
        final Deque<long[]> groups = new ArrayDeque<>();
        long[] frame = new long[3];
        boolean quantifiable;

        Translator(String p) {
            this.p = p;
        }

        void run() {
            while (i < p.length()) {
                char c = p.charAt(i);
                switch (c) {
                    case '\\' -> escape(false);
                    case '[' -> characterClass();
                    case '.' -> {
                        out.append(DOT);
                        atom(1);
                        i++;
                    }
                    case '(' -> openGroup();
                    case ')' -> closeGroup();
                    case '|' -> {
                        out.append('|');
                        frame[0] += frame[1] + 1;
                        frame[1] = 0;
                        quantifiable = false;
                        i++;
                    }
                    case '*', '+', '?' -> quantifier(1, 1);
                    case '{' -> braces();
                    case '^', '$' -> {
                        out.append(c);
                        frame[1] += 1;
                        quantifiable = false;
                        i++;
                    }
                    case ']', '}' -> {
                        // ECMA-262 Annex B (and Java) read a lone closing bracket as itself.
                        out.append('\\').append(c);
                        atom(1);
                        i++;
                    }
                    default -> {
                        int cp = p.codePointAt(i);
                        literal(cp, false);
                        atom(1);
                        i += Character.charCount(cp);
                    }
                }
            }
            if (!groups.isEmpty()) {
                throw invalid("a group is not closed");
            }
        }

        void atom(long cost) {
            frame[1] += cost;
            frame[2] = cost;
            quantifiable = true;
            check(frame[0] + frame[1]);
        }

        void check(long estimate) {
            if (estimate > ESTIMATE_LIMIT) {
                throw tooLarge(p);
            }
        }

        void openGroup() {
            if (p.startsWith("(?", i)) {
                if (p.startsWith("(?:", i)) {
                    out.append("(?:");
                    i += 3;
                } else if (p.startsWith("(?=", i) || p.startsWith("(?!", i)) {
                    throw unsupported("lookahead ((?= or (?!) needs a backtracking engine");
                } else if (p.startsWith("(?<=", i) || p.startsWith("(?<!", i)) {
                    throw unsupported("lookbehind ((?<= or (?<!) needs a backtracking engine");
                } else if (p.startsWith("(?<", i)) {
                    int end = p.indexOf('>', i);
                    String name = end < 0 ? "" : p.substring(i + 3, end);
                    if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                        throw invalid("a group name must be letters, digits and '_'");
                    }
                    out.append("(?P<").append(name).append('>');
                    i = end + 1;
                } else if (p.startsWith("(?i)", i)) {
                    out.append("(?i)");
                    i += 4;
                    quantifiable = false;
                    return;
                } else if (p.startsWith("(?i:", i)) {
                    out.append("(?i:");
                    i += 4;
                } else {
                    throw unsupported("inline flags other than (?i) are not supported");
                }
            } else {
                out.append('(');
                i++;
            }
            groups.push(frame);
            frame = new long[3];
            quantifiable = false;
        }

        void closeGroup() {
            if (groups.isEmpty()) {
                throw invalid("')' closes no group");
            }
            out.append(')');
            i++;
            long cost = frame[0] + frame[1] + 2;
            frame = groups.pop();
            atom(cost);
        }

        /** {@code *}, {@code +}, {@code ?}, or {@code {n,m}} already read: the last atom repeated. */
        void quantifier(long copies, int length) {
            if (!quantifiable) {
                throw invalid("nothing to repeat before " + quote(p.substring(i, Math.min(p.length(), i + length))));
            }
            out.append(p, i, i + length);
            i += length;
            long last = frame[2];
            long repeated = (last + 1) * copies;
            frame[1] += repeated - last;
            frame[2] = repeated;
            check(frame[0] + frame[1]);
            if (i < p.length() && p.charAt(i) == '?') {
                out.append('?');
                i++;
            }
            quantifiable = false;
        }

        void braces() {
            int close = p.indexOf('}', i);
            String body = close < 0 ? null : p.substring(i + 1, close);
            if (body == null || !body.matches("\\d+(,\\d*)?")) {
                throw invalid("a '{' that does not start a repetition such as {2,5} must be escaped");
            }
            String[] parts = body.split(",", -1);
            long min = parse(parts[0]);
            long max = parts.length == 1 ? min : parts[1].isEmpty() ? min + 1 : parse(parts[1]);
            if (parts.length == 2 && !parts[1].isEmpty() && max < min) {
                throw invalid("the repetition " + quote("{" + body + "}") + " has its bounds in the wrong order");
            }
            if (min > MAX_REPEAT || (parts.length == 2 && !parts[1].isEmpty() && max > MAX_REPEAT)) {
                throw unsupported("repetition counts above " + MAX_REPEAT + " are not supported (use minLength, maxLength, "
                        + "minItems or maxItems for lengths)");
            }
            quantifier(Math.max(1, Math.max(min, max)), close - i + 1);
        }

        static long parse(String digits) {
            return digits.length() > 9 ? Long.MAX_VALUE / 4 : Long.parseLong(digits);
        }

        void characterClass() {
            if (p.startsWith("[^]", i)) {
                out.append("[\\x{0}-\\x{10FFFF}]");
                i += 3;
                atom(1);
                return;
            }
            if (p.startsWith("[]", i)) {
                out.append("[^\\x{0}-\\x{10FFFF}]");
                i += 2;
                atom(1);
                return;
            }
            out.append('[');
            i++;
            if (i < p.length() && p.charAt(i) == '^') {
                out.append('^');
                i++;
            }
            while (true) {
                if (i >= p.length()) {
                    throw invalid("a character class is not closed with ']'");
                }
                char c = p.charAt(i);
                if (c == ']') {
                    out.append(']');
                    i++;
                    atom(1);
                    return;
                }
                if (c == '\\') {
                    escape(true);
                } else {
                    int cp = p.codePointAt(i);
                    if (cp == '-') {
                        out.append('-');
                    } else {
                        literal(cp, true);
                    }
                    i += Character.charCount(cp);
                }
            }
        }

        /** A literal code point, escaped where RE2 would read it otherwise. */
        void literal(int cp, boolean inClass) {
            if (cp <= 0xFFFF && Character.isSurrogate((char) cp)) {
                out.append("\\x{").append(Integer.toHexString(cp)).append('}');
            } else if (inClass ? (cp == '[' || cp == '^' || cp == '-' || cp == ']' || cp == '\\')
                    : "\\.+*?()|[]{}^$".indexOf(cp) >= 0) {
                out.append('\\').appendCodePoint(cp);
            } else {
                out.appendCodePoint(cp);
            }
        }

        /** An escape starting at {@code i} (the backslash). */
        void escape(boolean inClass) {
            if (i + 1 >= p.length()) {
                throw invalid("the pattern ends with a lone '\\'");
            }
            char e = p.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'd', 'D', 'w', 'W' -> out.append('\\').append(e);
                case 's' -> out.append(inClass ? SPACE : "[" + SPACE + "]");
                case 'S' -> out.append(inClass ? NOT_SPACE : "[" + NOT_SPACE + "]");
                case 'b' -> {
                    if (inClass) {
                        out.append("\\x{8}");
                    } else {
                        out.append("\\b");
                        frame[1] += 1;
                        quantifiable = false;
                        return;
                    }
                }
                case 'B' -> {
                    if (inClass) {
                        throw invalid("\\B cannot stand in a character class");
                    }
                    out.append("\\B");
                    frame[1] += 1;
                    quantifiable = false;
                    return;
                }
                case 'f', 'n', 'r', 't', 'v' -> out.append('\\').append(e);
                case '0' -> {
                    if (i < p.length() && Character.isDigit(p.charAt(i))) {
                        throw invalid("octal escapes such as \\0" + p.charAt(i) + " are not ECMA-262 with the u flag");
                    }
                    out.append("\\x{0}");
                }
                case '1', '2', '3', '4', '5', '6', '7', '8', '9' ->
                        throw unsupported("backreferences (\\" + e + ") need a backtracking engine");
                case 'k' -> throw unsupported("named backreferences (\\k<...>) need a backtracking engine");
                case 'c' -> {
                    char letter = i < p.length() ? p.charAt(i) : 0;
                    if (!((letter >= 'a' && letter <= 'z') || (letter >= 'A' && letter <= 'Z'))) {
                        throw invalid("\\c must be followed by a letter");
                    }
                    out.append("\\x{").append(Integer.toHexString(letter % 32)).append('}');
                    i++;
                }
                case 'x' -> {
                    String hex = i + 2 <= p.length() ? p.substring(i, i + 2) : "";
                    if (!hex.matches("[0-9A-Fa-f]{2}")) {
                        throw invalid("\\x must be followed by two hex digits");
                    }
                    out.append("\\x{").append(hex).append('}');
                    i += 2;
                }
                case 'u' -> out.append("\\x{").append(Integer.toHexString(unicodeEscape())).append('}');
                case 'p', 'P' -> out.append('\\').append(e).append('{').append(property()).append('}');
                default -> {
                    if ("^$\\.*+?()[]{}|/".indexOf(e) >= 0 || e == '-') {
                        out.append('\\').append(e);
                    } else {
                        throw invalid("\\" + e + " is not a valid escape");
                    }
                }
            }
            if (!inClass) {
                atom(1);
            }
        }

        /** After {@code \}{@code u}: four hex digits (a surrogate pair of escapes is one code point) or {@code {hex}}. */
        int unicodeEscape() {
            if (i < p.length() && p.charAt(i) == '{') {
                int close = p.indexOf('}', i);
                String hex = close < 0 ? "" : p.substring(i + 1, close);
                if (!hex.matches("[0-9A-Fa-f]{1,6}") || Integer.parseInt(hex, 16) > 0x10FFFF) {
                    throw invalid("\\u{...} must hold a code point up to 10FFFF in hex");
                }
                i = close + 1;
                return Integer.parseInt(hex, 16);
            }
            int unit = hex4(i);
            i += 4;
            if (Character.isHighSurrogate((char) unit) && p.startsWith("\\u", i) && i + 6 <= p.length()) {
                int low = hex4(i + 2);
                if (Character.isLowSurrogate((char) low)) {
                    i += 6;
                    return Character.toCodePoint((char) unit, (char) low);
                }
            }
            return unit;
        }

        int hex4(int at) {
            String hex = at + 4 <= p.length() ? p.substring(at, at + 4) : "";
            if (!hex.matches("[0-9A-Fa-f]{4}")) {
                throw invalid("\\u must be followed by four hex digits or {code point}");
            }
            return Integer.parseInt(hex, 16);
        }

        /** After {@code \}{@code p}: {@code {Name}} or {@code {Name=Value}}, as RE2 names it. */
        String property() {
            int close = p.indexOf('}', i);
            if (i >= p.length() || p.charAt(i) != '{' || close < 0) {
                throw invalid("\\p must be followed by {property}");
            }
            String body = p.substring(i + 1, close);
            i = close + 1;
            int eq = body.indexOf('=');
            String key = eq < 0 ? null : body.substring(0, eq);
            String value = eq < 0 ? body : body.substring(eq + 1);
            if (!value.matches("[A-Za-z_]{1,60}")) {
                throw invalid("\\p{" + body + "} is not a Unicode property");
            }
            if (key == null || key.equals("General_Category") || key.equals("gc")) {
                String category = CATEGORIES.getOrDefault(value, value);
                return category;  // RE2/J refuses a name it does not know (binary properties such as Emoji)
            }
            if (key.equals("Script") || key.equals("sc") || key.equals("Script_Extensions") || key.equals("scx")) {
                return value;
            }
            throw unsupported("the Unicode property \\p{" + body + "} is not supported");
        }

        Invalid invalid(String why) {
            return new Invalid("the pattern " + quote(p) + " is not a valid regular expression: " + why);
        }

        Unsupported unsupported(String why) {
            return new Unsupported("the pattern " + quote(p) + " is not supported: " + why
                    + " (patterns run on a linear-time engine)");
        }
    }

}
