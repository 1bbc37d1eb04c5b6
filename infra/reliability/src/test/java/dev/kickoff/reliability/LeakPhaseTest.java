package dev.kickoff.reliability;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The leak check: secrets found anywhere in a log but the first-start banner; constant-time rules held in the code. */
class LeakPhaseTest {
    static final String TOKEN = "api_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

    @Test
    void theFirstStartBannerMayShowATokenOnceNothingElseMay() {
        String log = String.join("\n",
                "01:00:00.000 INFO  KickoffLocal created the connection secrets key",
                "Created a local organization (1). Its tokens are shown once here:",
                "  api token:    " + TOKEN,
                "Kickoff is ready on http://localhost:1",
                "01:00:01.000 WARN  Authenticator rejected " + TOKEN);
        List<String> first = LeakPhase.scan(log, true, "main-1.log", Map.of(TOKEN, "api token"));
        assertThat(first).hasSize(1).first().asString().startsWith("main-1.log:5: api token").doesNotContain(TOKEN);
        assertThat(LeakPhase.scan(log, false, "main-2.log", Map.of(TOKEN, "api token")))
                .as("a restart prints no banner: every line counts").hasSize(2);
    }

    @Test
    void webhookSecretsAreLookedForWithAndWithoutTheirPrefix() {
        Secrets.add("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=", "test webhook");
        assertThat(Secrets.all()).containsKeys("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=", "c2VjcmV0LXNlY3JldC1zZWNyZXQ=");
        Secrets.collect(Json.parse("{\"token\": {\"id\": 1}, \"secret\": \"mgt_0123456789abcdefghijklmnop\","
                + " \"connection\": {\"secrets\": {\"apiKey\": \"sk_test_0123456789\"}}}"), "answer");
        assertThat(Secrets.all()).containsKeys("mgt_0123456789abcdefghijklmnop", "sk_test_0123456789");
    }

    @Test
    void theRepositoryKeepsItsConstantTimeRules() throws Exception {
        SecretComparisons.Result result = SecretComparisons.check(Path.of("../.."));
        assertThat(result.unclassified()).isEmpty();
        assertThat(result.broken()).isEmpty();
        assertThat(result.sites()).isPositive();
    }

    @Test
    void aNewCredentialComparisonIsFlaggedAndALostRuleIsNamed(@org.junit.jupiter.api.io.TempDir Path root) throws Exception {
        Path src = Files.createDirectories(root.resolve("functions/api/src/main/java/dev/kickoff/api/http"));
        Files.writeString(src.resolve("Authenticator.java"), """
                class Authenticator {
                    boolean ok(String presented, String storedSecret) {
                        return presented.equals(storedSecret);
                    }
                }""");
        Files.createDirectories(root.resolve("infra"));
        SecretComparisons.Result result = SecretComparisons.check(root);
        assertThat(result.unclassified()).hasSize(1).first().asString().contains("presented.equals(storedSecret)");
        assertThat(result.broken()).hasSize(SecretComparisons.REQUIRED.size());
    }
}
