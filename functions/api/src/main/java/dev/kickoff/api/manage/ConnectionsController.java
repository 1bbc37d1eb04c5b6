package dev.kickoff.api.manage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.api.http.Caller;
import dev.kickoff.api.http.JsonBody;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.connection.Connection;
import dev.kickoff.core.connection.ConnectionService;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;

/**
 * The organization's connections (Stripe, SMTP, HTTP) that steps act through. Secrets go in, sealed, and never come
 * out: every answer shows only their names ({@code secret_keys}). Answers carry {@code Cache-Control: no-store}
 * because a request that created or replaced one carried secrets.
 */
@Controller("/api/manage/v1/connections")
public class ConnectionsController {
    private static final String BODY = "the request body must be a JSON object: {\"provider\": …, \"name\": …, "
            + "\"config\": {…}, \"secrets\": {…}}";

    private final ConnectionService connections;

    public ConnectionsController(ConnectionService connections) {
        this.connections = connections;
    }

    @Post
    @Consumes(MediaType.ALL)
    public HttpResponse<String> create(@Caller(Permission.CONNECTIONS_WRITE) Principal principal, JsonBody body) {
        Connection created = connections.create(principal.orgId(), required(body).fields());
        return JsonResponses.created(wrap(created)).header("Cache-Control", "no-store")
                .header("Location", "/api/manage/v1/connections/" + created.id());
    }

    @Get
    public HttpResponse<String> list(@Caller(Permission.CONNECTIONS_READ) Principal principal) {
        ObjectNode out = Json.object();
        ArrayNode items = out.putArray("connections");
        connections.list(principal.orgId()).forEach(c -> items.add(ConnectionService.render(c)));
        return JsonResponses.ok(out);
    }

    @Get("/{connectionId}")
    public HttpResponse<String> get(@Caller(Permission.CONNECTIONS_READ) Principal principal,
                                    @PathVariable String connectionId) {
        return JsonResponses.ok(wrap(connections.get(principal.orgId(), connectionId)));
    }

    /** Replaces config and/or secrets (what the body names); the provider cannot change. */
    @Put("/{connectionId}")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> replace(@Caller(Permission.CONNECTIONS_WRITE) Principal principal,
                                        @PathVariable String connectionId, JsonBody body) {
        return JsonResponses.ok(wrap(connections.replace(principal.orgId(), connectionId, required(body).fields())))
                .header("Cache-Control", "no-store");
    }

    @Delete("/{connectionId}")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> delete(@Caller(Permission.CONNECTIONS_WRITE) Principal principal,
                                       @PathVariable String connectionId) {
        connections.delete(principal.orgId(), connectionId);
        return HttpResponse.noContent();
    }

    private static JsonBody required(JsonBody body) {
        if (!body.present()) {
            throw new KickoffException(Reason.INVALID_REQUEST, BODY);
        }
        return body;
    }

    private static ObjectNode wrap(Connection c) {
        ObjectNode out = Json.object();
        out.set("connection", ConnectionService.render(c));
        return out;
    }
}
