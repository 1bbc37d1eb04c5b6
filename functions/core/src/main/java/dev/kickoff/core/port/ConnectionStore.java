package dev.kickoff.core.port;

import dev.kickoff.core.connection.Connection;
import dev.kickoff.core.connection.Provider;

import java.util.List;
import java.util.Optional;

/**
 * Where connections live, by organization: another organization's connection is unreachable by key. Each
 * provider has at most one default per organization, by construction (the store keeps one default marker per
 * organization and provider, not a flag on each connection).
 */
public interface ConnectionStore {
    /**
     * Stores a new connection (and, if it is the default, makes it the provider's default in the same write).
     * Throws {@link DuplicateIdException} when the ID is taken.
     */
    void create(Connection connection);

    Optional<Connection> find(long orgId, String connectionId);

    /** Every connection of the organization, oldest first. */
    List<Connection> list(long orgId);

    /** The provider's default connection, if there is one (and it still exists). */
    Optional<Connection> findDefault(long orgId, Provider provider);

    /**
     * Replaces a connection's name, config and sealed secrets, and sets or clears its default marker, if it still
     * exists; empty when it does not.
     */
    Optional<Connection> replace(Connection connection);

    /** Deletes a connection (and its default marker, if it holds it); false when there was none. */
    boolean delete(long orgId, String connectionId);
}
