package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Tenancy and auth: every documented operation × {no token, garbage, revoked, wrong scope, another organization's
 * token, another organization's IDs}. The first four must be the documented 401/403 in the caller's shape (a revoked
 * token indistinguishable from one that never existed); another organization's resources must be answered exactly
 * as resources that do not exist (same status, same body), its lists must show nothing of the other's; and none of it
 * may change anything (both organizations' items compared before and after).
 */
final class TenancyPhase {
    static final String PHASE = "tenancy";
    static final List<String> ALL_SCOPES = List.of("workflows:execute", "runs:read", "cases:write", "cases:read",
            "workflows:read", "workflows:write", "tokens:read", "tokens:write", "webhooks:read", "webhooks:write");

    private final Suite suite;
    private final Stack stack;
    private Http http;
    private int requests;
    private final List<String> undocumented = new ArrayList<>();

    TenancyPhase(Suite suite, Stack stack) {
        this.suite = suite;
        this.stack = stack;
    }

    void run() throws Exception {
        Report report = suite.report();
        http = new Http(stack.baseUrl());
        Stack.Org v = stack.createOrg("victim", 100_000);
        Stack.Org a = stack.createOrg("attacker", 100_000);
        for (Stack.Org o : List.of(v, a)) {
            Secrets.add(o.manageToken(), "tenancy org manage token");
            Secrets.add(o.apiToken(), "tenancy org api token");
        }
        try (Receiver hooksV = Receiver.ok("victim"); Receiver hooksA = Receiver.ok("attacker")) {
            Fixtures victim = Fixtures.create(http, v, hooksV.url());
            Fixtures attacker = Fixtures.create(http, a, hooksA.url());
            List<Routes.Route> routes = Routes.classify(suite.contract(), hooksV.url());
            List<String> unclassified = routes.stream().filter(r -> !r.classified()).map(r -> r.op().key() + ": " + r.problem()).toList();
            report.zero(PHASE, "documented operations without a tenancy classification", unclassified.size(), unclassified);

            // Tokens: revoked ones of both kinds, one lacking each scope, and well-formed ones that never existed.
            Map<Boolean, String> revoked = new HashMap<>();
            for (boolean api : List.of(true, false)) {
                JsonNode t = http.expect(201, "POST", "/api/manage/v1/tokens", v.manageToken(),
                        "{\"name\": \"to revoke\", \"scope\": \"" + (api ? "api" : "manage") + "\"}");
                Secrets.collect(t, "revoked token");
                http.expect(204, "DELETE", "/api/manage/v1/tokens/" + t.path("token").path("id").asText(), v.manageToken(), null);
                revoked.put(api, t.path("secret").asText());
            }
            Map<String, String> lacking = new HashMap<>();
            for (String scope : ALL_SCOPES) {
                List<String> others = ALL_SCOPES.stream().filter(s -> !s.equals(scope)).toList();
                JsonNode t = http.expect(201, "POST", "/api/manage/v1/tokens", v.manageToken(),
                        "{\"name\": \"no " + scope + "\", \"scopes\": " + Json.write(others) + "}");
                Secrets.collect(t, "token without " + scope);
                lacking.put(scope, t.path("secret").asText());
            }
            SecureRandom random = new SecureRandom();
            Map<Boolean, String> garbage = Map.of(true, "api_" + alnum(random, 32), false, "mgt_" + alnum(random, 32));
            garbage.values().forEach(g -> Secrets.add(g, "a token that never existed (sent by the suite)"));

            List<String> notUnauthorized = new ArrayList<>();
            List<String> revokedDiffers = new ArrayList<>();
            List<String> wrongScope = new ArrayList<>();
            List<String> leaks = new ArrayList<>();
            List<String> not404 = new ArrayList<>();
            List<String> listLeaks = new ArrayList<>();
            int cells = 0;
            try (Table table = new Table(stack)) {
                Map<String, Map<String, AttributeValue>> before = snapshot(table, v.id(), a.id());
                for (Routes.Route route : routes) {
                    if (!route.classified()) {
                        continue;
                    }
                    Contract.Operation op = route.op();
                    String body = route.body();
                    String pathV = victim.path(op);
                    if (op.isPublic()) {
                        Http.Answer open = send(op, pathV, null, body);
                        if (!open.ok()) {
                            notUnauthorized.add(op.key() + " (public) answered " + open);
                        }
                        continue;
                    }
                    boolean api = route.apiScope();
                    // no token, garbage, revoked: 401, the revoked one word for word the garbage one's
                    Http.Answer none = send(op, pathV, null, body);
                    Http.Answer junk = send(op, pathV, garbage.get(api), body);
                    Http.Answer gone = send(op, pathV, revoked.get(api), body);
                    cells += 3;
                    for (var e : Map.of("no token", none, "garbage token", junk, "revoked token", gone).entrySet()) {
                        if (e.getValue().status() != 401) {
                            notUnauthorized.add(op.key() + " with " + e.getKey() + ": " + e.getValue());
                        }
                    }
                    if (!same(junk, gone, Set.of())) {
                        revokedDiffers.add(op.key() + ": garbage " + junk + " / revoked " + gone);
                    }
                    // wrong scope: 403 naming the scope
                    Http.Answer scoped = send(op, pathV, lacking.get(op.scope()), body);
                    cells++;
                    if (scoped.status() != 403 || scoped.body() == null || !scoped.body().contains(op.scope())) {
                        wrongScope.add(op.key() + " without " + op.scope() + ": " + scoped);
                    }
                    String ownToken = api ? v.apiToken() : v.manageToken();
                    String otherToken = api ? a.apiToken() : a.manageToken();
                    if (op.pathParams().isEmpty()) {
                        if (op.method().equals("GET")) {
                            // A list: the other organization's token sees nothing of this one's.
                            Http.Answer list = send(op, pathV, otherToken, null);
                            cells++;
                            for (var id : victim.ids.entrySet()) {
                                if (list.body() != null && id.getKey().owned() && list.body().contains(id.getValue())) {
                                    listLeaks.add(op.key() + " as the other organization shows " + id.getKey() + " " + id.getValue());
                                }
                            }
                        }
                        continue;  // a create with no ID in its path reaches nothing of another organization's
                    }
                    // another organization's IDs, one parameter at a time and all at once, with this org's token;
                    // and this org's whole path with the other organization's token: each as if it did not exist.
                    List<Map<String, String>> foreign = new ArrayList<>();
                    Map<String, String> allForeign = new LinkedHashMap<>();
                    Map<String, String> allNone = new LinkedHashMap<>();
                    for (String p : op.pathParams()) {
                        Fixtures.Kind kind = Fixtures.kindOf(p, op.template());
                        String theirs = Fixtures.render(kind, attacker.ids.get(kind), op.shape());
                        String nothing = Fixtures.render(kind, Fixtures.none(kind), op.shape());
                        foreign.add(Map.of(p, theirs, "none:" + p, nothing));
                        allForeign.put(p, theirs);
                        allNone.put(p, nothing);
                    }
                    for (Map<String, String> f : foreign) {
                        String p = f.keySet().stream().filter(k -> !k.startsWith("none:")).findFirst().orElseThrow();
                        Http.Answer theirs = send(op, victim.path(op, Map.of(p, f.get(p))), ownToken, body);
                        Http.Answer nothing = send(op, victim.path(op, Map.of(p, f.get("none:" + p))), ownToken, body);
                        cells += 2;
                        compare(op.key() + " with the other organization's {" + p + "}", theirs, nothing,
                                Set.of(f.get(p), f.get("none:" + p)), leaks, not404);
                    }
                    if (op.pathParams().size() > 1) {
                        Http.Answer theirs = send(op, victim.path(op, allForeign), ownToken, body);
                        Http.Answer nothing = send(op, victim.path(op, allNone), ownToken, body);
                        cells += 2;
                        Set<String> ids = new TreeSet<>(allForeign.values());
                        ids.addAll(allNone.values());
                        compare(op.key() + " with all the other organization's IDs", theirs, nothing, ids, leaks, not404);
                    }
                    Http.Answer byOther = send(op, pathV, otherToken, body);
                    Http.Answer otherNothing = send(op, attacker.path(op, allNone), otherToken, body);
                    cells += 2;
                    Set<String> ids = new TreeSet<>(allNone.values());
                    for (String p : op.pathParams()) {
                        Fixtures.Kind kind = Fixtures.kindOf(p, op.template());
                        ids.add(Fixtures.render(kind, victim.ids.get(kind), op.shape()));
                    }
                    compare(op.key() + " with the other organization's token", byOther, otherNothing, ids, leaks, not404);
                }
                // A body naming another organization's workflow is answered as a workflow that does not exist.
                String hook = "{\"url\": \"" + hooksA.url() + "\", \"events\": [\"run.completed\"], \"workflow_id\": %s}";
                Http.Answer theirs = http.send("POST", "/api/manage/v1/webhooks", a.manageToken(),
                        hook.formatted(victim.ids.get(Fixtures.Kind.WORKFLOW)));
                Http.Answer nothing = http.send("POST", "/api/manage/v1/webhooks", a.manageToken(), hook.formatted(Fixtures.NONE));
                check("POST", "/api/manage/v1/webhooks", theirs);
                check("POST", "/api/manage/v1/webhooks", nothing);
                requests += 2;
                cells += 2;
                if (theirs.ok() || theirs.status() != nothing.status()) {
                    leaks.add("POST /api/manage/v1/webhooks naming the other organization's workflow: " + theirs
                            + " / a workflow that does not exist: " + nothing);
                }

                Map<String, Map<String, AttributeValue>> after = snapshot(table, v.id(), a.id());
                List<String> changed = Table.diff(before, after).stream()
                        .map(c -> c.kind() + " " + c.key() + " (" + c.type() + ")").toList();
                report.measure(PHASE, "requests (operations × cases)", Integer.toString(requests), cells
                        + " comparisons over " + routes.size() + " operations");
                report.zero(PHASE, "no / garbage / revoked token not answered 401", notUnauthorized.size(), notUnauthorized);
                report.zero(PHASE, "revoked token answered unlike a token that never existed", revokedDiffers.size(),
                        revokedDiffers);
                report.zero(PHASE, "missing scope not answered 403 naming it", wrongScope.size(), wrongScope);
                report.zero(PHASE, "other org's resources answered unlike missing ones (leak)", leaks.size(), leaks);
                report.zero(PHASE, "other org's resources not answered 404", not404.size(), not404);
                report.zero(PHASE, "lists showing another organization's resources", listLeaks.size(), listLeaks);
                report.zero(PHASE, "undocumented answers (status or schema, caller's shape)", undocumented.size(), undocumented);
                report.zero(PHASE, "items changed in either organization", changed.size(), changed);
            }
        }
    }

    private Http.Answer send(Contract.Operation op, String path, String token, String body) {
        boolean sendsBody = !op.method().equals("GET") && !op.method().equals("DELETE") && body != null;
        Http.Answer answer = http.send(op.method(), path, token, sendsBody ? body : null);
        requests++;
        check(op.method(), path, answer);
        return answer;
    }

    private void check(String method, String path, Http.Answer answer) {
        Contract.Verdict verdict = suite.contract().check(method, path, answer.status(), answer.header("content-type"), answer.body());
        if (!verdict.ok()) {
            undocumented.add(verdict.problem());
        }
    }

    /** The other organization's resource against one that does not exist: same status, same body (IDs aside). */
    private static void compare(String what, Http.Answer theirs, Http.Answer nothing, Set<String> ids, List<String> leaks,
                                List<String> not404) {
        if (!same(theirs, nothing, ids)) {
            leaks.add(what + ": " + theirs + ", but for one that does not exist: " + nothing);
        }
        if (theirs.status() != 404) {
            not404.add(what + ": " + theirs);
        }
    }

    static boolean same(Http.Answer x, Http.Answer y, Set<String> ids) {
        return x.status() == y.status() && normalize(x.body(), ids).equals(normalize(y.body(), ids));
    }

    static String normalize(String body, Set<String> ids) {
        String out = body == null ? "" : body;
        for (String id : ids.stream().sorted((p, q) -> q.length() - p.length()).toList()) {
            out = out.replace(id, "<id>");
        }
        return out;
    }

    /** Both organizations' items, less the execute limiter's counters (which refused requests do count in). */
    static Map<String, Map<String, AttributeValue>> snapshot(Table table, long v, long a) {
        return FuzzPhase.quiet(table, i -> (Table.ofOrg(i, v) || Table.ofOrg(i, a)) && !"rate_limit".equals(Table.str(i, "type")));
    }

    static String alnum(SecureRandom random, int n) {
        String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(chars.charAt(random.nextInt(chars.length())));
        }
        return s.toString();
    }
}
