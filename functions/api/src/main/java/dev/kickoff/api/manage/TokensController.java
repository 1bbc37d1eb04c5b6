package dev.kickoff.api.manage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.http.Caller;
import dev.kickoff.api.http.JsonBody;
import dev.kickoff.api.http.Ids;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.core.auth.ApiToken;
import dev.kickoff.core.auth.IssuedToken;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.auth.TokenService;
import dev.kickoff.core.json.Json;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;


/** Tokens of the caller's organization: create (secret shown once), list, revoke (immediately). */
@Controller("/api/manage/v1/tokens")
public class TokensController {
    private final TokenService tokens;

    public TokensController(TokenService tokens) {
        this.tokens = tokens;
    }

    @Post
    @Consumes(MediaType.ALL)
    public HttpResponse<String> create(@Caller(Permission.TOKENS_WRITE) Principal principal, JsonBody body) {
        TokenRequest request = TokenRequest.of(body.fields());
        IssuedToken issued = tokens.issue(principal.orgId(), request.name(), request.grant());
        ObjectNode out = Json.object();
        out.set("token", ManageJson.token(issued.token()));
        out.put("secret", issued.secret());
        return JsonResponses.created(out).header("Cache-Control", "no-store");
    }

    @Get
    public HttpResponse<String> list(@Caller(Permission.TOKENS_READ) Principal principal) {
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("tokens");
        for (ApiToken t : tokens.list(principal.orgId())) {
            items.add(ManageJson.token(t));
        }
        return JsonResponses.ok(out);
    }

    @Delete("/{tokenId}")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> revoke(@Caller(Permission.TOKENS_WRITE) Principal principal,
                                       @PathVariable String tokenId) {
        tokens.revoke(principal.orgId(), Ids.parse(tokenId));
        return HttpResponse.noContent();
    }
}
