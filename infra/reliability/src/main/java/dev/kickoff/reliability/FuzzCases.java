package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;
import net.jqwik.api.sessions.JqwikSession;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The bad-input fuzzer's requests, generated up front from the seed with jqwik's generators (run outside a test
 * engine, in a seeded session): for each documented operation in turn, a request that is valid but for one or two
 * things — broken or deep JSON, huge numbers and exponents, invalid UTF-8, control bytes in headers and in the path,
 * wrong content types, bad IDs and queries, template and regex bombs in definitions, wrong body types and sizes,
 * junk tokens. Replaying a seed replays the same requests, in the same order.
 */
final class FuzzCases {
    /** One fuzzed request: what it is for, what was done to it, the bytes. */
    record Case(int index, String operation, List<String> mutations, RawHttp.Request request) {
    }

    /** What a request can have wrong with it. */
    enum Family {
        JSON_BROKEN, JSON_DEEP, NUMBER, UTF8, BODY_TYPE, DUPLICATE_KEYS, SIZE, CONTENT_TYPE, HEADER_CONTROL, HEADER_SIZE,
        BAD_ID, PATH_CONTROL, QUERY, METHOD, TOKEN, TEMPLATE_BOMB, REGEX_BOMB
    }

    static final List<String> BAD_NUMBERS = List.of("1e999999999", "1e-2147483648", "-1e-2147483648", "0.1e-2147483648",
            "1e99999999999", "1E+309", "-1.7976931348623157e309", "4.9e-325", "1e-301", "1e301", "123456789012345678901234567890",
            "0.000000000000000000000000000000000000001", "-0", "1.0e+2147483647", "9e9999999999999999999");
    static final List<byte[]> BAD_UTF8 = List.of(bytes(0xC0, 0xAF), bytes(0xE0, 0x80, 0xAF), bytes(0xED, 0xA0, 0x80),
            bytes(0xED, 0xBF, 0xBF), bytes(0xF4, 0x90, 0x80, 0x80), bytes(0xFF), bytes(0xFE), bytes(0x80), bytes(0xBF),
            bytes(0xF0, 0x9F, 0x98), bytes(0xC3), bytes(0xF8, 0x88, 0x80, 0x80, 0x80), bytes(0x2E, 0x2E, 0xC0, 0xAF));
    static final List<String> BAD_ESCAPES = List.of("\\ud800", "\\udc00", "\\ud800\\u0041", "\\udfff\\ud800", "\\u0000",
            "\\x41", "\\u12", "\\uZZZZ", "\\q");
    static final List<String> CONTENT_TYPES = List.of("text/xml", "application/xml", "multipart/form-data; boundary=x",
            "application/json; charset=utf-16", "application/json; charset=latin1", "text/plain", "text/html",
            "application/octet-stream", "image/png", "application/json;;;", "", "*/*", "application/x-www-form-urlencoded",
            "application/problem+json", "application/json; charset=UTF-8");
    static final List<String> BAD_IDS = List.of("0", "-1", "-9223372036854775808", "99999999999999999999999999",
            "9007199254740993", "18446744073709551616", "abc", "1e5", "0x10", "%EF%BC%91%EF%BC%92%EF%BC%93", "1.5", "%20",
            "%00", "..", "%2e%2e", "%C0%AF", "%ZZ", "%", "wf_", "run_", "exec_", "run_-1", "wf_abc", "null", "undefined",
            "NaN", "[1]", "%7B%7D", "1%0A2", "1;2", "6b69636b-6f66-8100-8000-000000000001",
            "6b69636b-6f66-8300-8000-000000000000", "00000000-0000-0000-0000-000000000000", "msg_", "msg_zz",
            "1".repeat(5000));
    static final List<String> TEMPLATE_BOMBS = List.of(
            "{{input | map: 'a' | sum}}".repeat(2000),
            "{{".repeat(5000),
            "{{input." + "a.".repeat(5000) + "b}}",
            "{{input | " + "upcase | ".repeat(3000) + "downcase}}",
            "{{input.items | map: '" + "(".repeat(2000) + "a" + ")".repeat(2000) + "' | sum}}",
            "{{steps.x.output.y | times: 1e999999}}",
            "{{input | slice: 0, 999999999999999999999}}",
            "{{ }}", "{{input.}}", "{{input | nosuchfilter}}", "}}{{",
            "{{input.items | map: 'quantity ** price' | sum}}",
            "x".repeat(70_000));
    static final List<String> REGEX_BOMBS = List.of("^((a*)*)*b$", "^(a|a)*$", "^(ab|cd)*$", "(?=a)a", "(a)\\1", "a{1000}{1000}",
            "(a{100}){101}", "[", "\\p{Emoji}", "(?<n>a)\\k<n>", "a{1,100000}", "(?i)a", "(?m)^a", "\\", "((((((((((a))))))))))*",
            "[^]*", "\\u{110000}", "(?<=a)b");

    private final List<Routes.Route> routes;
    private final Fixtures fixtures;
    private final Random random;
    private final long seed;

    FuzzCases(List<Routes.Route> routes, Fixtures fixtures, long seed) {
        this.routes = routes.stream().filter(Routes.Route::classified).toList();
        this.fixtures = fixtures;
        this.seed = seed;
        this.random = new Random(seed);
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private <T> T gen(Arbitrary<T> arbitrary) {
        return arbitrary.generator(100, true).next(random).value();
    }

    /** {@code count} cases, every classified operation in turn (and now and then a path no operation has). */
    List<Case> generate(int count) {
        boolean session = false;
        try {
            JqwikSession.start(Long.toString(seed));  // outside a property, jqwik's generators want a session
            session = true;
        } catch (RuntimeException insideAProperty) {
            // within jqwik's own lifecycle (the generators' tests) there is one already
        }
        try {
            List<Case> cases = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                cases.add(one(i));
            }
            return cases;
        } finally {
            if (session) {
                JqwikSession.finish();
            }
        }
    }

    private Case one(int index) {
        // A plain draw, not a generator: jqwik's edge cases (0, 99, …) would make the rare choice common.
        boolean noRoute = random.nextInt(100) < 3;
        Routes.Route route = routes.get(index % routes.size());
        Contract.Operation op = route.op();
        String method = op.method();
        String path = noRoute ? gen(Arbitraries.of("/api/nope", "/api/external/v1/nothing", "/api/v1/", "/workflows/",
                "/api/manage/v1/workflows/1/nope", "/", "/api/v1/workspaces/x")) : fixtures.path(op);
        byte[] target = path.getBytes(StandardCharsets.UTF_8);
        String token = op.isPublic() ? null : route.apiScope() ? fixtures.org.apiToken() : fixtures.org.manageToken();
        List<RawHttp.Header> headers = new ArrayList<>();
        headers.add(RawHttp.Header.of("Host", "127.0.0.1"));
        byte[] body = route.body() == null ? null : route.body().getBytes(StandardCharsets.UTF_8);
        String contentType = body == null ? null : "application/json";
        List<String> labels = new ArrayList<>();
        int mutations = gen(Arbitraries.frequency(Tuple.of(3, 1), Tuple.of(1, 2)));
        for (int m = 0; m < mutations; m++) {
            Family family = pick(route);
            labels.add(family.name().toLowerCase());
            switch (family) {
                case JSON_BROKEN -> {
                    byte[] valid = body != null ? body : "{\"a\": [1, {\"b\": \"c\"}]}".getBytes(StandardCharsets.UTF_8);
                    int kind = gen(Arbitraries.integers().between(0, 4));
                    body = switch (kind) {
                        case 0 -> java.util.Arrays.copyOf(valid, gen(Arbitraries.integers().between(0, Math.max(0, valid.length - 1))));
                        case 1 -> gen(Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300));
                        case 2 -> {
                            byte[] b = valid.clone();
                            b[gen(Arbitraries.integers().between(0, b.length - 1))] = (byte) (char) gen(Arbitraries.of('{', '}', '[', ']', ',', ':', '"', '\\', '\'', 'x'));
                            yield b;
                        }
                        case 3 -> gen(Arbitraries.of("{", "}", "[", "{\"a\"", "{\"a\":}", "{,}", "{\"a\":1,}", "[1,2,]", "{'a':1}",
                                "{\"a\":01}", "{\"a\":.5}", "{\"a\":+1}", "{\"a\":tru}", "{\"a\":\"\n\"}", "\uFEFF{}", "{} {}", "{}garbage",
                                "{\"a\":1}/*c*/")).getBytes(StandardCharsets.UTF_8);
                        default -> concat(valid, gen(Arbitraries.of("]", "}", ",", "{", "\u0000")).getBytes(StandardCharsets.UTF_8));
                    };
                    contentType = "application/json";
                }
                case JSON_DEEP -> {
                    int depth = gen(Arbitraries.of(65, 100, 1_000, 10_000, 100_000));
                    boolean arrays = gen(Arbitraries.of(true, false));
                    String open = arrays ? "[" : "{\"a\":";
                    String close = arrays ? "]" : "}";
                    body = slot(body, (open.repeat(depth) + "1" + close.repeat(depth)).getBytes(StandardCharsets.UTF_8));
                    contentType = "application/json";
                }
                case NUMBER -> {
                    String n = gen(Arbitraries.oneOf(Arbitraries.of(BAD_NUMBERS),
                            Arbitraries.integers().between(301, Integer.MAX_VALUE).map(e -> "1e" + e),
                            Arbitraries.integers().between(301, Integer.MAX_VALUE).map(e -> "-2.5e-" + e),
                            Arbitraries.strings().numeric().ofMinLength(101).ofMaxLength(20_000).map(s -> "1" + s)));
                    body = slot(body, n.getBytes(StandardCharsets.UTF_8));
                    contentType = "application/json";
                }
                case UTF8 -> {
                    boolean escape = gen(Arbitraries.of(true, false));
                    byte[] inside = escape ? gen(Arbitraries.of(BAD_ESCAPES)).getBytes(StandardCharsets.UTF_8) : gen(Arbitraries.of(BAD_UTF8));
                    boolean asKey = gen(Arbitraries.of(true, false));
                    byte[] value = asKey ? concat("{\"".getBytes(StandardCharsets.UTF_8), inside, "\": 1}".getBytes(StandardCharsets.UTF_8))
                            : concat("\"a".getBytes(StandardCharsets.UTF_8), inside, "b\"".getBytes(StandardCharsets.UTF_8));
                    body = slot(body, value);
                    contentType = "application/json";
                }
                case BODY_TYPE -> {
                    String whole = gen(Arbitraries.of("null", "[]", "\"x\"", "1", "true", "{}", "[{}]", "{\"input\": []}",
                            "{\"input\": \"x\"}", "{\"input\": null}", "{\"input\": 1}", "{\"payload\": []}", "{\"trigger_payload\": 5}",
                            "{\"attributes\": []}", "{\"subject\": 5}", "{\"name\": []}", "{\"version\": \"1\"}", "{\"url\": 5}",
                            "{\"events\": \"run.completed\"}", "{\"scopes\": [\"nope\"]}", "{\"steps\": {}}", "{\"unknown\": 1}", ""));
                    body = whole.getBytes(StandardCharsets.UTF_8);
                    contentType = "application/json";
                }
                case DUPLICATE_KEYS -> {
                    String b = body == null ? "{}" : new String(body, StandardCharsets.UTF_8);
                    body = b.length() > 2 ? ("{" + b.substring(1, b.length() - 1) + ", " + b.substring(1)).getBytes(StandardCharsets.UTF_8)
                            : "{\"a\": 1, \"a\": 2}".getBytes(StandardCharsets.UTF_8);
                    contentType = "application/json";
                }
                case SIZE -> {
                    int size = gen(Arbitraries.frequency(Tuple.of(20, 262_145), Tuple.of(20, 300_000), Tuple.of(1, 10_485_761)));
                    body = slot(body, ("\"" + "x".repeat(size) + "\"").getBytes(StandardCharsets.UTF_8));
                    contentType = "application/json";
                }
                case CONTENT_TYPE -> {
                    contentType = gen(Arbitraries.of(CONTENT_TYPES));
                    if (body == null) {
                        body = "{}".getBytes(StandardCharsets.UTF_8);
                    }
                    if (contentType.startsWith("application/json; charset=utf-16")) {
                        body = new String(body, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16);
                    } else if (contentType.contains("xml")) {
                        body = "<run><input a=\"1\"/></run>".getBytes(StandardCharsets.UTF_8);
                    }
                }
                case HEADER_CONTROL -> {
                    int b = gen(Arbitraries.oneOf(Arbitraries.integers().between(0, 8), Arbitraries.integers().between(11, 12),
                            Arbitraries.integers().between(14, 31), Arbitraries.just(127)));
                    String name = gen(Arbitraries.of("X-Junk", "Authorization", "Content-Type", "Idempotency-Key", "x-api-key",
                            "User-Agent", "Accept"));
                    byte[] value = concat("a".getBytes(StandardCharsets.UTF_8), bytes(b), "b".getBytes(StandardCharsets.UTF_8));
                    if (name.equals("Authorization") && token != null) {
                        value = concat(("Bearer " + token).getBytes(StandardCharsets.UTF_8), bytes(b));
                        token = null;
                    }
                    if (name.equals("Content-Type")) {
                        contentType = null;
                        value = concat("application/json".getBytes(StandardCharsets.UTF_8), bytes(b));
                    }
                    headers.add(new RawHttp.Header(name.getBytes(StandardCharsets.ISO_8859_1), value));
                }
                case HEADER_SIZE -> {
                    if (gen(Arbitraries.of(true, false))) {
                        headers.add(RawHttp.Header.of("X-Big", "b".repeat(gen(Arbitraries.of(10_300, 20_000, 70_000)))));
                    } else {
                        int n = gen(Arbitraries.of(150, 300, 1_000));
                        for (int h = 0; h < n; h++) {
                            headers.add(RawHttp.Header.of("X-H" + h, "v"));
                        }
                    }
                }
                case BAD_ID -> {
                    if (!op.pathParams().isEmpty()) {
                        String p = op.pathParams().get(gen(Arbitraries.integers().between(0, op.pathParams().size() - 1)));
                        target = fixtures.path(op, java.util.Map.of(p, gen(Arbitraries.of(BAD_IDS)))).getBytes(StandardCharsets.UTF_8);
                    } else {
                        target = (path + "/" + gen(Arbitraries.of(BAD_IDS))).getBytes(StandardCharsets.UTF_8);
                    }
                }
                case PATH_CONTROL -> {
                    int b = gen(Arbitraries.oneOf(Arbitraries.integers().between(1, 31), Arbitraries.just(127), Arbitraries.just(0x80),
                            Arbitraries.just(0xC0), Arbitraries.just(0xFF)));
                    int at = gen(Arbitraries.integers().between(1, target.length));
                    target = concat(java.util.Arrays.copyOf(target, at), bytes(b), java.util.Arrays.copyOfRange(target, at, target.length));
                }
                case QUERY -> {
                    String q = gen(Arbitraries.of("limit=-1", "limit=0", "limit=101", "limit=1e9", "limit=abc", "limit=%00",
                            "limit=99999999999999999999", "cursor=junk", "cursor=eyJhIjoxfQ", "cursor=%FF%FE", "status=%07",
                            "status=" + "x".repeat(5000), "status=Open&status=Closed", "limit=1&limit=2", "a=%ZZ", "%00=1", "cursor="));
                    target = concat(target, ((new String(target, StandardCharsets.ISO_8859_1).contains("?") ? "&" : "?") + q)
                            .getBytes(StandardCharsets.UTF_8));
                }
                case METHOD -> method = gen(Arbitraries.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
                        .filter(m2 -> !m2.equals(op.method())));
                case TOKEN -> {
                    int kind = gen(Arbitraries.integers().between(0, 6));
                    token = null;
                    switch (kind) {
                        case 0 -> { }
                        case 1 -> headers.add(RawHttp.Header.of("Authorization", "Bearer api_" + "A".repeat(32)));
                        case 2 -> headers.add(RawHttp.Header.of("Authorization", "Bearer"));
                        case 3 -> headers.add(RawHttp.Header.of("Authorization", "Basic dXNlcjpwYXNz"));
                        case 4 -> {
                            headers.add(RawHttp.Header.of("Authorization", "Bearer " + fixtures.org.apiToken()));
                            headers.add(RawHttp.Header.of("x-api-key", fixtures.org.manageToken()));
                        }
                        case 5 -> headers.add(RawHttp.Header.of("Authorization", "Bearer " + "x".repeat(5000)));
                        default -> headers.add(RawHttp.Header.of("x-api-key", "mgt_" + "B".repeat(32)));
                    }
                }
                case TEMPLATE_BOMB -> {
                    ObjectNode def = Json.parse(Fixtures.OPEN);
                    ((ObjectNode) def.path("steps").get(0).path("config").path("mapping")).put("seen", gen(Arbitraries.of(TEMPLATE_BOMBS)));
                    body = Json.write(def).getBytes(StandardCharsets.UTF_8);
                    contentType = "application/json";
                }
                case REGEX_BOMB -> {
                    ObjectNode def = Json.parse(Fixtures.OPEN);
                    ObjectNode schema = def.putObject("inputSchema");
                    schema.put("type", "object");
                    String pattern = gen(Arbitraries.of(REGEX_BOMBS));
                    if (gen(Arbitraries.of(true, false))) {
                        schema.putObject("properties").putObject("s").put("type", "string").put("pattern", pattern);
                    } else {
                        schema.putObject("patternProperties").putObject(pattern).put("type", "string");
                    }
                    body = Json.write(def).getBytes(StandardCharsets.UTF_8);
                    contentType = "application/json";
                }
            }
        }
        if (token != null) {
            headers.add(1, RawHttp.Header.of("Authorization", "Bearer " + token));
        }
        if (contentType != null) {
            headers.add(RawHttp.Header.of("Content-Type", contentType));
        }
        return new Case(index, noRoute ? "(no route) " + method + " " + path : op.key(), labels,
                new RawHttp.Request(method, target, headers, body));
    }

    /** A family that applies to the route: body families where there is a body to spoil, bombs in definitions. */
    private Family pick(Routes.Route route) {
        boolean definition = route.op().key().equals("POST /api/manage/v1/workflows")
                || route.op().key().equals("PUT /api/manage/v1/workflows/{workflowId}");
        boolean takesBody = route.body() != null;
        List<Tuple.Tuple2<Integer, Family>> weights = new ArrayList<>();
        for (Family f : Family.values()) {
            int w = switch (f) {
                case TEMPLATE_BOMB, REGEX_BOMB -> definition ? 6 : 0;
                case JSON_BROKEN, NUMBER, UTF8, JSON_DEEP -> takesBody ? 4 : 1;
                case BODY_TYPE, DUPLICATE_KEYS, CONTENT_TYPE -> takesBody ? 3 : 1;
                case SIZE -> 1;
                case BAD_ID -> route.op().pathParams().isEmpty() ? 1 : 5;
                case QUERY -> route.op().method().equals("GET") ? 4 : 1;
                default -> 2;
            };
            if (w > 0) {
                weights.add(Tuple.of(w, f));
            }
        }
        return gen(Arbitraries.frequency(weights));
    }

    /**
     * The valid body with one of its values replaced by {@code value} (raw bytes, so they can be anything); no valid
     * body: the value is the body.
     */
    byte[] slot(byte[] valid, byte[] value) {
        if (valid == null || nesting(valid) > 200) {
            return value;  // a body already made deep by another mutation: writing its tree back would recurse too far
        }
        JsonNode tree = Json.read(valid);
        if (!tree.isObject() || tree.isEmpty()) {
            return value;
        }
        List<ObjectNode> parents = new ArrayList<>();
        List<String> names = new ArrayList<>();
        collectSlots((ObjectNode) tree, parents, names, 0);
        int at = gen(Arbitraries.integers().between(0, parents.size() - 1));
        String marker = "\u0001SLOT\u0001";
        parents.get(at).put(names.get(at), marker);
        byte[] text = Json.write(tree).getBytes(StandardCharsets.UTF_8);
        byte[] quoted = Json.write(Json.MAPPER.getNodeFactory().textNode(marker)).getBytes(StandardCharsets.UTF_8);
        int i = RawHttp.indexOf(text, quoted);
        return concat(java.util.Arrays.copyOf(text, i), value, java.util.Arrays.copyOfRange(text, i + quoted.length, text.length));
    }

    /** How deep a JSON text nests (brackets outside strings), without parsing it. */
    static int nesting(byte[] json) {
        int depth = 0;
        int max = 0;
        boolean inString = false;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (inString) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                max = Math.max(max, ++depth);
            } else if (b == '}' || b == ']') {
                depth--;
            }
        }
        return max;
    }

    private static void collectSlots(ObjectNode node, List<ObjectNode> parents, List<String> names, int depth) {
        node.properties().forEach(e -> {
            parents.add(node);
            names.add(e.getKey());
            if (e.getValue().isObject() && depth < 4) {
                collectSlots((ObjectNode) e.getValue(), parents, names, depth + 1);
            }
        });
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
