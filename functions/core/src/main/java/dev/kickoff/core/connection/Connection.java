package dev.kickoff.core.connection;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/**
 * A way to reach a provider on an organization's behalf: its non-secret {@code config} in the clear, its secrets
 * only as a sealed blob (see {@link dev.kickoff.core.port.SecretBox}) plus the names of the secrets it holds, so
 * that the connection can be shown and validated without opening them.
 *
 * @param isDefault true when it is its provider's default connection in its organization
 */
public record Connection(String id, long orgId, Provider provider, String name, JsonNode config,
                         List<String> secretKeys, byte[] sealedSecrets, boolean isDefault, Instant createdAt,
                         Instant updatedAt) {
    public Connection {
        secretKeys = List.copyOf(secretKeys);
    }

    public Connection withDefault(boolean value) {
        return new Connection(id, orgId, provider, name, config, secretKeys, sealedSecrets, value, createdAt, updatedAt);
    }

    @Override
    public String toString() {
        return "Connection[" + id + ", " + provider.wireName() + "]";
    }
}
