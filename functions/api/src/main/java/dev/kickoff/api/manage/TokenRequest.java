package dev.kickoff.api.manage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.auth.Grant;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.auth.TokenService;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.template.Templates;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The body of {@code POST /api/manage/v1/tokens}: {@code name}, and either {@code scope} (a bundle: {@code api}
 * or {@code manage}) or {@code scopes} (a list of fine-grained scopes), optionally with {@code workflow_ids}
 * (the only workflows the token may use). Every problem is listed, each with its JSON Pointer.
 */
record TokenRequest(String name, Grant grant) {
    private static final Set<String> KEYS = Set.of("name", "scope", "scopes", "workflow_ids");

    static TokenRequest of(ObjectNode body) {
        List<FieldError> problems = new ArrayList<>();
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual() || name.textValue().isBlank()
                || name.textValue().length() > TokenService.MAX_NAME_LENGTH) {
            problems.add(new FieldError("/name", "name is required: a string of 1 to "
                    + TokenService.MAX_NAME_LENGTH + " characters"));
        }
        Set<Permission> permissions = permissions(body, problems);
        Set<Long> workflows = workflows(body.get("workflow_ids"), problems);
        body.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                problems.add(new FieldError("/" + Templates.escape(k),
                        "unsupported key; the body accepts name, scope, scopes and workflow_ids"));
            }
        });
        if (!problems.isEmpty()) {
            throw new KickoffException(Reason.VALIDATION_FAILED, "the token request is invalid", problems);
        }
        return new TokenRequest(name.textValue(), new Grant(permissions, workflows));
    }

    private static Set<Permission> permissions(ObjectNode body, List<FieldError> problems) {
        JsonNode scope = body.get("scope");
        JsonNode scopes = body.get("scopes");
        if (scope != null && scopes != null) {
            problems.add(new FieldError("/scopes", "send scope (a bundle) or scopes (a list), not both"));
            return Set.of();
        }
        if (scopes == null) {
            Scope bundle = scope != null && scope.isTextual() ? Scope.fromWire(scope.textValue()).orElse(null) : null;
            if (bundle == null) {
                problems.add(new FieldError("/scope", "scope is required: api or manage (or send scopes, a list)"));
                return Set.of();
            }
            return bundle.permissions();
        }
        Set<Permission> out = new HashSet<>();
        if (!scopes.isArray() || scopes.isEmpty()) {
            problems.add(new FieldError("/scopes", "scopes must be a non-empty list of: " + known()));
            return out;
        }
        for (int i = 0; i < scopes.size(); i++) {
            JsonNode s = scopes.get(i);
            var p = s.isTextual() ? Permission.fromWire(s.textValue()) : java.util.Optional.<Permission>empty();
            if (p.isEmpty()) {
                problems.add(new FieldError("/scopes/" + i, "unknown scope; known scopes: " + known()));
            } else {
                out.add(p.get());
            }
        }
        return out;
    }

    private static Set<Long> workflows(JsonNode ids, List<FieldError> problems) {
        Set<Long> out = new HashSet<>();
        if (ids == null) {
            return out;
        }
        if (!ids.isArray() || ids.isEmpty() || ids.size() > Grant.MAX_WORKFLOWS) {
            problems.add(new FieldError("/workflow_ids", "workflow_ids must be a list of 1 to "
                    + Grant.MAX_WORKFLOWS + " workflow IDs"));
            return out;
        }
        for (int i = 0; i < ids.size(); i++) {
            JsonNode id = ids.get(i);
            if (!id.isIntegralNumber() || !id.canConvertToLong() || id.longValue() <= 0) {
                problems.add(new FieldError("/workflow_ids/" + i, "a workflow ID is a positive integer"));
            } else {
                out.add(id.longValue());
            }
        }
        return out;
    }

    private static String known() {
        return String.join(", ", Arrays.stream(Permission.values()).map(Permission::wireName).toList());
    }
}
