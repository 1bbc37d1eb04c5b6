package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Secrets are taken from any depth of a body the fuzzer sent: a quick run died of recursion on a deep one. */
class SecretsTest {
    @Test
    void collectsFromABodyNestedDeeperThanRecursionSurvives() {
        int depth = 150_000;
        String secret = "conn-secret-deep-0123456789";
        String body = "[".repeat(depth) + "{\"secrets\": {\"token\": \"" + secret + "\"}}" + "]".repeat(depth);
        JsonNode node = Json.read(body);
        assertThat(node.isArray()).isTrue();

        Secrets.collect(node, "deep fuzz body");

        assertThat(Secrets.all()).containsEntry(secret, "deep fuzz body connection secret token");
    }

    @Test
    void idsAreTakenFromAnyDepthToo() {
        int depth = 150_000;
        JsonNode node = Json.read("[".repeat(depth) + "123456" + "]".repeat(depth));
        java.util.Set<String> ids = new java.util.HashSet<>();

        FuzzPhase.collectIds(node, ids);

        assertThat(ids).containsExactly("123456");
    }
}
