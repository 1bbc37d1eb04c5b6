package dev.kickoff.api.manage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.http.ApiRequests;
import dev.kickoff.api.http.Ids;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.core.auth.ApiToken;
import dev.kickoff.core.auth.IssuedToken;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.auth.TokenService;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Tokens of the caller's organization: create (secret shown once), list, revoke (immediately). */
@Controller("/api/manage/v1/tokens")
public class TokensController {
    private final ApiRequests requests;
    private final TokenService tokens;

    public TokensController(ApiRequests requests, TokenService tokens) {
        this.requests = requests;
        this.tokens = tokens;
    }

    @Post
    @Consumes(MediaType.ALL)
    public HttpResponse<String> create(HttpRequest<?> request) {
        Principal principal = requests.authenticate(request, Scope.MANAGE);
        JsonNode body = requests.jsonObject(request).orElse(Json.object());
        List<FieldError> problems = new ArrayList<>();
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual() || name.textValue().isBlank()
                || name.textValue().length() > TokenService.MAX_NAME_LENGTH) {
            problems.add(new FieldError("/name", "name is required: a string of 1 to "
                    + TokenService.MAX_NAME_LENGTH + " characters"));
        }
        JsonNode scopeNode = body.get("scope");
        Optional<Scope> scope = scopeNode != null && scopeNode.isTextual()
                ? Scope.fromWire(scopeNode.textValue()) : Optional.empty();
        if (scope.isEmpty()) {
            problems.add(new FieldError("/scope", "scope is required: api or manage"));
        }
        body.fieldNames().forEachRemaining(k -> {
            if (!k.equals("name") && !k.equals("scope")) {
                problems.add(new FieldError("/" + k, "unsupported key; the body accepts name and scope"));
            }
        });
        if (!problems.isEmpty()) {
            throw new KickoffException(Reason.VALIDATION_FAILED, "the token request is invalid", problems);
        }
        IssuedToken issued = tokens.issue(principal.orgId(), name.textValue(), scope.get());
        ObjectNode out = Json.object();
        out.set("token", ManageJson.token(issued.token()));
        out.put("secret", issued.secret());
        return JsonResponses.created(out).header("Cache-Control", "no-store");
    }

    @Get
    public HttpResponse<String> list(HttpRequest<?> request) {
        Principal principal = requests.authenticate(request, Scope.MANAGE);
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("tokens");
        for (ApiToken t : tokens.list(principal.orgId())) {
            items.add(ManageJson.token(t));
        }
        return JsonResponses.ok(out);
    }

    @Delete("/{tokenId}")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> revoke(HttpRequest<?> request, @PathVariable String tokenId) {
        Principal principal = requests.authenticate(request, Scope.MANAGE);
        tokens.revoke(principal.orgId(), Ids.parse(tokenId));
        return HttpResponse.noContent();
    }
}
