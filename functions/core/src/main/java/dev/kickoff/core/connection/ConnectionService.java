package dev.kickoff.core.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.id.FreshIds;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.ConnectionStore;
import dev.kickoff.core.port.SecretBox;
import dev.kickoff.core.template.Templates;

import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * An organization's connections: create, read, list, replace, delete, and for steps, {@link #open} (which
 * connection a step uses, with its secrets opened). Secrets go in once, are sealed before they are stored, and
 * never come back out through this service's answers. Another organization's connection is "not found".
 */
public final class ConnectionService {
    public static final int MAX_PER_ORG = 20;
    static final Set<String> BODY_KEYS = Set.of("provider", "name", "config", "secrets", "default");

    private final ConnectionStore store;
    private final SecretBox box;
    private final Clock clock;
    private final boolean local;

    /** @param local true in the local stack: base URLs and SMTP hosts on loopback are allowed */
    public ConnectionService(ConnectionStore store, SecretBox box, Clock clock, boolean local) {
        this.store = store;
        this.box = box;
        this.clock = clock;
        this.local = local;
    }

    public Connection create(long orgId, JsonNode body) {
        Parsed p = parse(body, null);
        Provider provider = p.provider;
        JsonNode config = p.config == null ? Json.object() : p.config;
        Map<String, String> secrets = p.secrets == null ? Map.of() : p.secrets;
        List<FieldError> problems = new ArrayList<>(p.problems);
        if (provider != null) {
            problems.addAll(ConnectionRules.check(provider, config, secrets.keySet(), local));
        }
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        if (store.list(orgId).size() >= MAX_PER_ORG) {
            throw new KickoffException(Reason.VALIDATION_FAILED, "an organization can have at most " + MAX_PER_ORG
                    + " connections; delete one first", List.of(new FieldError("", "at most " + MAX_PER_ORG
                    + " connections per organization")));
        }
        // The first connection of a provider becomes its default unless the caller says otherwise: a run without
        // connectionId then finds it.
        boolean makeDefault = p.isDefault != null ? p.isDefault : store.findDefault(orgId, provider).isEmpty();
        Instant now = now();
        return FreshIds.store(() -> {
            String id = ConnectionIds.next();
            Connection c = new Connection(id, orgId, provider, p.name, config, new TreeSet<>(secrets.keySet()).stream().toList(),
                    box.seal(secrets, new SecretBox.Context(orgId, id)), makeDefault, now, now);
            store.create(c);
            return c;
        });
    }

    public Connection get(long orgId, String connectionId) {
        return find(orgId, connectionId).orElseThrow(ConnectionService::notFound);
    }

    public List<Connection> list(long orgId) {
        return store.list(orgId);
    }

    /**
     * Replaces what the body names: {@code name}, {@code config} (as a whole), {@code secrets} (as a whole: the old
     * ones are gone), {@code default}. The provider cannot change.
     */
    public Connection replace(long orgId, String connectionId, JsonNode body) {
        Connection existing = get(orgId, connectionId);
        Parsed p = parse(body, existing);
        List<FieldError> problems = new ArrayList<>(p.problems);
        JsonNode config = p.config != null ? p.config : existing.config();
        List<String> keys = p.secrets != null ? new TreeSet<>(p.secrets.keySet()).stream().toList() : existing.secretKeys();
        problems.addAll(ConnectionRules.check(existing.provider(), config, keys, local));
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
        byte[] sealed = p.secrets != null ? box.seal(p.secrets, new SecretBox.Context(orgId, connectionId))
                : existing.sealedSecrets();
        Connection replaced = new Connection(connectionId, orgId, existing.provider(),
                p.name != null ? p.name : existing.name(), config, keys, sealed,
                p.isDefault != null ? p.isDefault : existing.isDefault(), existing.createdAt(), now());
        return store.replace(replaced).orElseThrow(ConnectionService::notFound);
    }

    public void delete(long orgId, String connectionId) {
        if (!ConnectionIds.looksLikeConnection(connectionId) || !store.delete(orgId, connectionId)) {
            throw notFound();
        }
    }

    /**
     * The connection a step of {@code provider} uses, secrets opened: the one the step names
     * ({@code stepConnectionId}), else the run's {@code connectionId} if it is of this provider, else the
     * organization's default for the provider.
     *
     * @throws ConnectionUnavailableException when there is none, or it cannot be opened (the step fails)
     */
    public OpenedConnection open(long orgId, Provider provider, String stepConnectionId, String runConnectionId) {
        return open(orgId, provider, stepConnectionId, runConnectionId, true);
    }

    /**
     * As {@link #open(long, Provider, String, String)} for a step that can do without a connection (an HTTP request
     * to an absolute URL): null when neither the step nor the run names one of {@code provider}.
     */
    public OpenedConnection openIfNamed(long orgId, Provider provider, String stepConnectionId, String runConnectionId) {
        return open(orgId, provider, stepConnectionId, runConnectionId, false);
    }

    private OpenedConnection open(long orgId, Provider provider, String stepConnectionId, String runConnectionId,
                                  boolean orDefault) {
        Connection c;
        if (stepConnectionId != null) {
            c = find(orgId, stepConnectionId).orElseThrow(() -> new ConnectionUnavailableException(
                    "connection " + shown(stepConnectionId) + " (named by the step) was not found"));
            if (c.provider() != provider) {
                throw new ConnectionUnavailableException("connection " + c.id() + " is a " + c.provider().wireName()
                        + " connection; this step needs a " + provider.wireName() + " connection");
            }
        } else {
            Connection chosen = null;
            if (runConnectionId != null) {
                Connection named = find(orgId, runConnectionId).orElseThrow(() -> new ConnectionUnavailableException(
                        "connection " + shown(runConnectionId) + " (the run's connectionId) was not found"));
                chosen = named.provider() == provider ? named : null;
            }
            if (chosen == null && !orDefault) {
                return null;
            }
            c = chosen != null ? chosen : store.findDefault(orgId, provider).orElseThrow(() ->
                    new ConnectionUnavailableException("this step needs a " + provider.wireName() + " connection and the"
                            + " organization has no default one; create one, or name one with connectionId or the"
                            + " step's connection"));
        }
        try {
            return new OpenedConnection(c, box.open(c.sealedSecrets(), new SecretBox.Context(orgId, c.id())));
        } catch (SecretBox.SecretsUnavailableException e) {
            throw new ConnectionUnavailableException("the secrets of connection " + c.id() + " cannot be opened ("
                    + e.getMessage() + "); replace them");
        }
    }

    /** {@code {"id", "provider", "name", "config", "secret_keys", "default", "created_at", "updated_at"}}: never a secret. */
    public static ObjectNode render(Connection c) {
        ObjectNode n = Json.object();
        n.put("id", c.id());
        n.put("provider", c.provider().wireName());
        n.put("name", c.name());
        n.set("config", c.config() == null ? Json.object() : c.config().deepCopy());
        ArrayNode keys = n.putArray("secret_keys");
        c.secretKeys().forEach(keys::add);
        n.put("default", c.isDefault());
        n.put("created_at", TIME.format(c.createdAt()));
        n.put("updated_at", TIME.format(c.updatedAt()));
        return n;
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    private Optional<Connection> find(long orgId, String connectionId) {
        return ConnectionIds.looksLikeConnection(connectionId) ? store.find(orgId, connectionId) : Optional.empty();
    }

    private record Parsed(Provider provider, String name, JsonNode config, Map<String, String> secrets,
                          Boolean isDefault, List<FieldError> problems) {
        @Override
        public String toString() {
            return "Parsed[" + provider + "]";
        }
    }

    /** The body's parts, each checked on its own; {@code existing} is the connection a replace starts from. */
    private static Parsed parse(JsonNode body, Connection existing) {
        if (body == null || !body.isObject()) {
            throw new KickoffException(Reason.INVALID_REQUEST, "the request body must be a JSON object");
        }
        List<FieldError> problems = new ArrayList<>();
        body.fieldNames().forEachRemaining(k -> {
            if (!BODY_KEYS.contains(k)) {
                problems.add(new FieldError("/" + Templates.escape(k),
                        "unsupported key; the body accepts provider, name, config, secrets and default"));
            }
        });
        Provider provider = null;
        JsonNode providerNode = body.get("provider");
        if (existing == null || providerNode != null) {
            provider = providerNode != null && providerNode.isTextual()
                    ? Provider.fromWire(providerNode.textValue()).orElse(null) : null;
            if (provider == null) {
                problems.add(new FieldError("/provider", "provider must be one of: " + Provider.known()));
            } else if (existing != null && provider != existing.provider()) {
                problems.add(new FieldError("/provider", "a connection's provider cannot change (it is "
                        + existing.provider().wireName() + "); create another connection"));
            }
        }
        String name = null;
        JsonNode nameNode = body.get("name");
        if (existing == null || nameNode != null) {
            if (nameNode == null || !nameNode.isTextual() || nameNode.textValue().isBlank()) {
                problems.add(new FieldError("/name", "name is required (a non-blank string)"));
            } else if (nameNode.textValue().length() > ConnectionRules.MAX_NAME) {
                problems.add(new FieldError("/name", "name is longer than " + ConnectionRules.MAX_NAME + " characters"));
            } else if (nameNode.textValue().chars().anyMatch(Character::isISOControl)) {
                problems.add(new FieldError("/name", "name must not contain control characters"));
            } else {
                name = nameNode.textValue().strip();
            }
        }
        JsonNode config = body.get("config");
        if (config != null && !config.isObject()) {
            problems.add(new FieldError("/config", "config must be an object"));
            config = null;
        }
        Map<String, String> secrets = secrets(body.get("secrets"), problems);
        Boolean isDefault = null;
        JsonNode def = body.get("default");
        if (def != null && !def.isNull()) {
            if (!def.isBoolean()) {
                problems.add(new FieldError("/default", "default must be true or false"));
            } else {
                isDefault = def.booleanValue();
            }
        }
        return new Parsed(provider, name, config, secrets, isDefault, problems);
    }

    private static Map<String, String> secrets(JsonNode node, List<FieldError> problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            problems.add(new FieldError("/secrets", "secrets must be an object of names to strings"));
            return null;
        }
        if (node.size() > ConnectionRules.MAX_SECRETS) {
            problems.add(new FieldError("/secrets", "at most " + ConnectionRules.MAX_SECRETS + " secrets"));
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            String where = "/secrets/" + Templates.escape(f.getKey());
            // Problems name the secret, never its value.
            if (!ConnectionRules.SECRET_NAME.matcher(f.getKey()).matches()) {
                problems.add(new FieldError(where, "secret names are letters, digits and _, starting with a letter (at most 64)"));
            } else if (!f.getValue().isTextual() || f.getValue().textValue().isEmpty()) {
                problems.add(new FieldError(where, "a secret must be a non-empty string"));
            } else if (f.getValue().textValue().length() > ConnectionRules.MAX_SECRET_CHARS) {
                problems.add(new FieldError(where, "a secret is at most " + ConnectionRules.MAX_SECRET_CHARS + " characters"));
            } else {
                out.put(f.getKey(), f.getValue().textValue());
            }
        }
        return out;
    }

    private static KickoffException invalid(List<FieldError> problems) {
        return new KickoffException(Reason.VALIDATION_FAILED, "the connection is invalid", problems);
    }

    private static KickoffException notFound() {
        return new KickoffException(Reason.CONNECTION_NOT_FOUND, "connection not found");
    }

    private static String shown(String id) {
        return id.length() > 40 ? id.substring(0, 40) + "…" : id;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
