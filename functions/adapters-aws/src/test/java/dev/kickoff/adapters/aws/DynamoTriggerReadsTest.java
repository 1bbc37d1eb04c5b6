package dev.kickoff.adapters.aws;

import dev.kickoff.core.auth.ApiToken;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.auth.TokenSecrets;
import dev.kickoff.emulators.testing.TestAws;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The warm trigger's one read: the token and the head as the two single reads would find them, or not at all. */
class DynamoTriggerReadsTest {
    static DynamoTable table;
    static DynamoTokenStore tokens;
    static DynamoTriggerReads reads;
    static final AtomicLong IDS = new AtomicLong(System.nanoTime() & 0xffffffffL);
    static final Instant T0 = Instant.parse("2026-12-02T03:00:00Z");

    @BeforeAll
    static void setUp() {
        var stack = TestAws.get().provision("trigger-reads");
        table = new DynamoTable(AwsClients.dynamoDb(), stack.table("KickoffTable").name());
        tokens = new DynamoTokenStore(table);
        reads = new DynamoTriggerReads(table);
    }

    static void head(long org, long workflow, Integer published) {
        Map<String, AttributeValue> item = new HashMap<>(DynamoTable.key(DynamoOrganizationStore.pk(org),
                DynamoWorkflowStore.headSk(workflow)));
        item.put("type", Attrs.s("workflow"));
        item.put("workflow_id", Attrs.n(workflow));
        item.put("org_id", Attrs.n(org));
        item.put("name", Attrs.s("wf"));
        item.put("kind", Attrs.s("standard"));
        item.put("latest_version", Attrs.n(1));
        if (published != null) {
            item.put("published_version", Attrs.n(published));
        }
        item.put("created_at", Attrs.instant(T0));
        item.put("updated_at", Attrs.instant(T0));
        table.client().putItem(PutItemRequest.builder().tableName(table.name()).item(item).build());
    }

    @Test
    void readsTheTokenAndTheHeadTogetherAndSaysWhatIsAbsent() {
        long org = IDS.incrementAndGet();
        long workflow = IDS.incrementAndGet();
        String secret = TokenSecrets.newSecret(Scope.API);
        String hash = TokenSecrets.hash(secret);
        tokens.create(new ApiToken(IDS.incrementAndGet(), org, "ci", Scope.API, "api_abcd", T0), hash);

        var none = reads.read(hash, org, workflow);
        assertThat(none.token()).hasValueSatisfying(p -> assertThat(p.orgId()).isEqualTo(org));
        assertThat(none.head().workflow()).as("no head yet").isEmpty();

        head(org, workflow, 1);
        var both = reads.read(hash, org, workflow);
        assertThat(both.token()).isEqualTo(tokens.findByHash(hash));
        assertThat(both.head().answer(org, workflow)).hasValueSatisfying(w -> {
            assertThat(w.id()).isEqualTo(workflow);
            assertThat(w.publishedVersion()).isEqualTo(1);
        });

        var elsewhere = reads.read(hash, org + 1, workflow);
        assertThat(elsewhere.head().workflow()).as("another org's key finds nothing").isEmpty();

        long tokenId = both.token().orElseThrow().tokenId();
        tokens.delete(org, tokenId);
        assertThat(reads.read(hash, org, workflow).token()).as("revoked: gone on the next read").isEmpty();
    }

    @Test
    void padsKeysAsFormatDid() {
        for (long id : new long[]{0, 7, 123456789, 9_007_199_254_740_991L, 12_345_678_901_234_567L, -5}) {
            assertThat(Attrs.pad(id)).isEqualTo(String.format("%016d", id));
        }
    }
}
