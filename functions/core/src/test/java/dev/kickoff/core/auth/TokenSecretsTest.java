package dev.kickoff.core.auth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TokenSecretsTest {
    @Test
    void secretsArePrefixedRandomAndHashedWithSha256() {
        String a = TokenSecrets.newSecret(Scope.API);
        String b = TokenSecrets.newSecret(Scope.API);
        assertThat(a).startsWith("api_").hasSize(36).isNotEqualTo(b);
        assertThat(TokenSecrets.newSecret(Scope.MANAGE)).startsWith("mgt_");
        assertThat(TokenSecrets.hash("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(TokenSecrets.displayPrefix(a)).hasSize(8).isEqualTo(a.substring(0, 8));
        assertThat(TokenSecrets.claimedScope(a)).isEqualTo(Scope.API);
        assertThat(TokenSecrets.claimedScope("xyz_123")).isNull();
    }
}
