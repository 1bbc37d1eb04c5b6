package dev.kickoff.core.connection;

import java.util.Map;

/**
 * A connection with its secrets opened, for the length of one step. Lives in memory only: never stored, never
 * logged (its {@code toString} names the connection and nothing else).
 */
public record OpenedConnection(Connection connection, Map<String, String> secrets) {
    public OpenedConnection {
        secrets = Map.copyOf(secrets);
    }

    public String secret(String name) {
        return secrets.get(name);
    }

    @Override
    public String toString() {
        return "OpenedConnection[" + connection.id() + "]";
    }
}
