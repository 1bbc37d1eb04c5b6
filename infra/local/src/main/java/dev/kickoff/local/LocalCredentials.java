package dev.kickoff.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.json.Json;
import dev.kickoff.bootstrap.CompositionRoot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The local organization: created on the first start and kept in {@code <data dir>/credentials.json}, readable
 * by its owner only, as {@code {"org_id", "manage_token", "api_token"}}.
 */
record LocalCredentials(long orgId, String manageToken, String apiToken) {

    static final String FILE = "credentials.json";

    /** The stored credentials if they still authenticate; null when there are none (or the data was reset). */
    static LocalCredentials load(Path dataDir, CompositionRoot runtime) {
        Path file = dataDir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode node = Json.parse(Files.readAllBytes(file));
            LocalCredentials c = new LocalCredentials(node.path("org_id").asLong(), node.path("manage_token").asText(),
                    node.path("api_token").asText());
            var principal = runtime.tokens().authenticate(c.manageToken());
            return principal.map(Principal::orgId).filter(id -> id == c.orgId()).isPresent() ? c : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            return null;
        }
    }

    static LocalCredentials create(Path dataDir, CompositionRoot runtime) {
        var boot = runtime.organizations().create("Local organization");
        var api = runtime.tokens().issue(boot.organization().id(), "local", Scope.API);
        LocalCredentials c = new LocalCredentials(boot.organization().id(), boot.manageToken().secret(), api.secret());
        c.write(dataDir.resolve(FILE));
        return c;
    }

    private void write(Path file) {
        ObjectNode node = Json.object();
        node.put("org_id", orgId);
        node.put("manage_token", manageToken);
        node.put("api_token", apiToken);
        try {
            Files.deleteIfExists(file);
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(Set.of(
                        java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE)));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
            Files.writeString(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n",
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public String toString() {
        return "LocalCredentials[orgId=" + orgId + ", tokens=<redacted>]";
    }
}
