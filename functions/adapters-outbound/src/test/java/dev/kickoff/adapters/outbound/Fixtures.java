package dev.kickoff.adapters.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.connection.Connection;
import dev.kickoff.core.connection.OpenedConnection;
import dev.kickoff.core.connection.Provider;
import dev.kickoff.core.json.Json;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Connections as a step sees them (secrets opened), without a store. */
final class Fixtures {
    private Fixtures() {
    }

    static OpenedConnection connection(Provider provider, String config, Map<String, String> secrets) {
        JsonNode c = Json.parse(config);
        Instant now = Instant.parse("2026-05-19T12:00:00Z");
        return new OpenedConnection(new Connection("conn_" + "a".repeat(24), 1, provider, "test", c,
                List.copyOf(secrets.keySet()), new byte[0], true, now, now), secrets);
    }
}
