package dev.kickoff.core.testing;

import dev.kickoff.core.connection.Connection;
import dev.kickoff.core.connection.OpenedConnection;
import dev.kickoff.core.connection.Provider;
import dev.kickoff.core.json.Json;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Opened connections for tests that need one without a store. */
public final class Connections {
    private Connections() {
    }

    public static OpenedConnection http(String baseUrl) {
        Instant now = Instant.parse("2026-05-19T12:00:00Z");
        return new OpenedConnection(new Connection("conn_" + "h".repeat(24), 1, Provider.HTTP, "api",
                Json.parse("{\"baseUrl\": \"" + baseUrl + "\"}"), List.of(), new byte[0], false, now, now), Map.of());
    }
}
