package dev.kickoff.adapters.outbound;

import dev.kickoff.core.port.SecretBox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The local stack's key file: created 0600 once, seals without plaintext, fails closed on any mismatch. */
class KeyFileSecretBoxTest {
    @TempDir
    Path dir;

    static final Map<String, String> SECRETS = Map.of("apiKey", "sk_live_Plaintext_Must_Not_Leak", "password", "hunter2-x");
    static final SecretBox.Context ORG1 = new SecretBox.Context(1, "conn_aaaaaaaaaaaaaaaaaaaaaaaa");

    @Test
    void theKeyFileIsCreatedOnceWithMode0600() throws Exception {
        Path file = dir.resolve("data/secrets.key");
        assertThat(KeyFileSecretBox.createIfAbsent(file)).isTrue();
        String key = Files.readString(file);
        assertThat(KeyFileSecretBox.createIfAbsent(file)).as("a second start keeps the key").isFalse();
        assertThat(Files.readString(file)).isEqualTo(key);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void sealedBlobsHoldNoPlaintextAndOpenOnlyUnderTheirOwnContext() {
        Path file = dir.resolve("secrets.key");
        KeyFileSecretBox.createIfAbsent(file);
        KeyFileSecretBox box = KeyFileSecretBox.open(file);
        byte[] sealed = box.seal(SECRETS, ORG1);
        String asText = new String(sealed, StandardCharsets.ISO_8859_1);
        assertThat(asText).doesNotContain("sk_live_Plaintext_Must_Not_Leak").doesNotContain("hunter2-x").doesNotContain("apiKey");
        assertThat(box.seal(SECRETS, ORG1)).as("a fresh data key and nonce each time").isNotEqualTo(sealed);

        assertThat(box.open(sealed, ORG1)).isEqualTo(SECRETS);
        assertThatThrownBy(() -> box.open(sealed, new SecretBox.Context(2, ORG1.connectionId())))
                .as("another organization").isInstanceOf(SecretBox.SecretsUnavailableException.class);
        assertThatThrownBy(() -> box.open(sealed, new SecretBox.Context(1, "conn_bbbbbbbbbbbbbbbbbbbbbbbb")))
                .as("another connection").isInstanceOf(SecretBox.SecretsUnavailableException.class);
        byte[] altered = sealed.clone();
        altered[altered.length - 1] ^= 1;
        assertThatThrownBy(() -> box.open(altered, ORG1)).isInstanceOf(SecretBox.SecretsUnavailableException.class);
    }

    @Test
    void aWrongKeyFileFailsClosed() throws Exception {
        Path a = dir.resolve("a.key");
        Path b = dir.resolve("b.key");
        KeyFileSecretBox.createIfAbsent(a);
        KeyFileSecretBox.createIfAbsent(b);
        byte[] sealed = KeyFileSecretBox.open(a).seal(SECRETS, ORG1);
        assertThatThrownBy(() -> KeyFileSecretBox.open(b).open(sealed, ORG1))
                .isInstanceOf(SecretBox.SecretsUnavailableException.class).hasMessageContaining("sealed under key file");

        Files.setPosixFilePermissions(b, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> KeyFileSecretBox.open(b)).hasMessageContaining("chmod 600");
        Path junk = dir.resolve("junk.key");
        Files.writeString(junk, "c2hvcnQ=");
        Files.setPosixFilePermissions(junk, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> KeyFileSecretBox.open(junk)).hasMessageContaining("256-bit");
    }
}
