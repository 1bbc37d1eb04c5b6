package dev.kickoff.adapters.aws;

import dev.kickoff.core.auth.ApiToken;
import dev.kickoff.core.auth.Grant;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.auth.TokenSecrets;
import dev.kickoff.emulators.testing.TestAws;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Token scopes as stored: bundles as they always were, custom lists as sets, only hashes of secrets. */
class DynamoTokenStoreTest {
    static DynamoTable table;
    static DynamoTokenStore tokens;
    static final AtomicLong IDS = new AtomicLong(System.nanoTime() & 0xffffffffL);
    static final Instant T0 = Instant.parse("2026-05-19T12:34:56Z");

    @BeforeAll
    static void setUp() {
        var stack = TestAws.get().provision("tokens");
        table = new DynamoTable(AwsClients.dynamoDb(), stack.table("KickoffTable").name());
        tokens = new DynamoTokenStore(table);
    }

    @Test
    void aBundleTokenIsStoredAsBeforeAndGrowsWithItsBundle() {
        long org = IDS.incrementAndGet();
        String secret = TokenSecrets.newSecret(Scope.API);
        tokens.create(new ApiToken(IDS.incrementAndGet(), org, "ci", Scope.API, "api_abcd", T0), TokenSecrets.hash(secret));
        Map<String, AttributeValue> lookup = table.get(DynamoTokenStore.hashPk(TokenSecrets.hash(secret)), "TOKENHASH", true);
        assertThat(lookup.get("scope").s()).isEqualTo("api");
        assertThat(lookup).doesNotContainKeys("scopes", "workflow_ids", "secret");
        var principal = tokens.findByHash(TokenSecrets.hash(secret)).orElseThrow();
        assertThat(principal.scope()).isEqualTo(Scope.API);
        assertThat(principal.grant().permissions()).isEqualTo(Scope.API.permissions());
    }

    @Test
    void aCustomTokenKeepsItsScopesAndWorkflows() {
        long org = IDS.incrementAndGet();
        String secret = TokenSecrets.newSecret(Scope.API);
        Grant grant = new Grant(Set.of(Permission.RUNS_READ, Permission.WORKFLOWS_EXECUTE), Set.of(7L, 9L));
        tokens.create(new ApiToken(IDS.incrementAndGet(), org, "bot", grant, "api_wxyz", T0), TokenSecrets.hash(secret));

        var principal = tokens.findByHash(TokenSecrets.hash(secret)).orElseThrow();
        assertThat(principal.grant()).isEqualTo(grant);
        assertThat(principal.scope()).as("not a bundle").isNull();
        assertThat(tokens.list(org)).singleElement().satisfies(t -> {
            assertThat(t.grant()).isEqualTo(grant);
            assertThat(t.scope()).isNull();
        });
        Map<String, AttributeValue> item = table.get(DynamoTokenStore.hashPk(TokenSecrets.hash(secret)), "TOKENHASH", true);
        assertThat(item.get("scope").s()).isEqualTo("custom");
        assertThat(item.get("scopes").ss()).containsExactlyInAnyOrder("runs:read", "workflows:execute");
        assertThat(item.get("workflow_ids").ns()).containsExactlyInAnyOrder("7", "9");
    }

    @Test
    void aScopeThisVersionDoesNotKnowIsSkippedAndATokenWithNoneLeftIsRefused() {
        String hash = TokenSecrets.hash(TokenSecrets.newSecret(Scope.API));
        table.client().putItem(b -> b.tableName(table.name()).item(Map.of(
                "pk", AttributeValue.fromS(DynamoTokenStore.hashPk(hash)), "sk", AttributeValue.fromS("TOKENHASH"),
                "org_id", AttributeValue.fromN("1"), "token_id", AttributeValue.fromN("2"),
                "name", AttributeValue.fromS("future"), "scope", AttributeValue.fromS("custom"),
                "scopes", AttributeValue.fromSs(java.util.List.of("reports:read")))));
        assertThat(tokens.findByHash(hash)).isEmpty();
    }
}
