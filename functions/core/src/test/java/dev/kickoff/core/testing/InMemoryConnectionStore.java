package dev.kickoff.core.testing;

import dev.kickoff.core.connection.Connection;
import dev.kickoff.core.connection.Provider;
import dev.kickoff.core.port.ConnectionStore;
import dev.kickoff.core.port.DuplicateIdException;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Connections in memory, with one default marker per organization and provider like the DynamoDB store. */
public final class InMemoryConnectionStore implements ConnectionStore {
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Map<String, String> defaults = new ConcurrentHashMap<>();

    private static String key(long org, String id) {
        return org + ":" + id;
    }

    private static String marker(long org, Provider p) {
        return org + ":" + p.wireName();
    }

    @Override
    public synchronized void create(Connection c) {
        if (connections.putIfAbsent(key(c.orgId(), c.id()), c.withDefault(false)) != null) {
            throw new DuplicateIdException("connection " + c.id());
        }
        if (c.isDefault()) {
            defaults.put(marker(c.orgId(), c.provider()), c.id());
        }
    }

    @Override
    public Optional<Connection> find(long orgId, String connectionId) {
        return Optional.ofNullable(connections.get(key(orgId, connectionId)))
                .map(c -> c.withDefault(connectionId.equals(defaults.get(marker(orgId, c.provider())))));
    }

    @Override
    public List<Connection> list(long orgId) {
        return connections.values().stream().filter(c -> c.orgId() == orgId)
                .map(c -> find(orgId, c.id()).orElseThrow())
                .sorted(Comparator.comparing(Connection::createdAt).thenComparing(Connection::id)).toList();
    }

    @Override
    public Optional<Connection> findDefault(long orgId, Provider provider) {
        String id = defaults.get(marker(orgId, provider));
        return id == null ? Optional.empty() : find(orgId, id);
    }

    @Override
    public synchronized Optional<Connection> replace(Connection c) {
        if (!connections.containsKey(key(c.orgId(), c.id()))) {
            return Optional.empty();
        }
        connections.put(key(c.orgId(), c.id()), c.withDefault(false));
        if (c.isDefault()) {
            defaults.put(marker(c.orgId(), c.provider()), c.id());
        } else {
            defaults.remove(marker(c.orgId(), c.provider()), c.id());
        }
        return find(c.orgId(), c.id());
    }

    @Override
    public synchronized boolean delete(long orgId, String connectionId) {
        Connection c = connections.remove(key(orgId, connectionId));
        if (c == null) {
            return false;
        }
        defaults.remove(marker(orgId, c.provider()), connectionId);
        return true;
    }
}
