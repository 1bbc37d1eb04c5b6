package dev.kickoff.adapters.aws;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kickoff.core.connection.Connection;
import dev.kickoff.core.connection.ConnectionService;
import dev.kickoff.core.connection.ConnectionUnavailableException;
import dev.kickoff.core.connection.OpenedConnection;
import dev.kickoff.core.connection.Provider;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.SecretBox;
import dev.kickoff.core.secret.Envelope;
import dev.kickoff.emulators.testing.TestAws;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ConnectionService on the DynamoDB store against DynamoDB Local: validation, limits, defaults, isolation, sealing. */
class ConnectionsDynamoTest {
    static DynamoTable table;
    static DynamoConnectionStore store;
    static ConnectionService connections;
    static final AtomicLong ORGS = new AtomicLong(System.nanoTime() & 0xffffffL);

    /** The envelope under a fixed key: enough to show what is stored; KMS and the key file have their own tests. */
    static final class FixedKeyBox implements SecretBox {
        static final byte[] KEY = new byte[32];

        @Override
        public byte[] seal(Map<String, String> secrets, Context context) {
            return Envelope.seal(Envelope.KEY_FILE, "test", new byte[0], KEY, secrets, context).encode();
        }

        @Override
        public Map<String, String> open(byte[] sealed, Context context) {
            return Envelope.decode(sealed).open(KEY, context);
        }
    }

    @BeforeAll
    static void setUp() {
        var stack = TestAws.get().provision("connections");
        table = new DynamoTable(AwsClients.dynamoDb(), stack.table("KickoffTable").name());
        store = new DynamoConnectionStore(table);
        connections = new ConnectionService(store, new FixedKeyBox(), Clock.systemUTC(), false);
    }

    static long org() {
        return ORGS.incrementAndGet();
    }

    static Connection stripe(long org, String name, Boolean isDefault) {
        return connections.create(org, Json.parse("{\"provider\": \"stripe\", \"name\": \"" + name + "\","
                + " \"secrets\": {\"apiKey\": \"sk_test_" + name + "_0123456789\"}"
                + (isDefault == null ? "" : ", \"default\": " + isDefault) + "}"));
    }

    static KickoffException refused(long org, String body) {
        try {
            connections.create(org, Json.parse(body));
        } catch (KickoffException e) {
            return e;
        }
        throw new AssertionError("accepted: " + body);
    }

    @Test
    void invalidBodiesAre422sWithAPointerForEveryProblem() {
        long org = org();
        KickoffException e = refused(org, "{\"provider\": \"ftp\", \"name\": \"\", \"extra\": 1, \"secrets\": {\"9bad\": \"x\"}}");
        assertThat(e.reason()).isEqualTo(Reason.VALIDATION_FAILED);
        assertThat(e.details()).extracting(FieldError::path).contains("/provider", "/name", "/extra", "/secrets/9bad");

        assertThat(refused(org, "{\"provider\": \"stripe\", \"name\": \"s\", \"config\": {\"baseUrl\": \"http://10.0.0.1\", \"x\": 1}}")
                .details()).extracting(FieldError::path).containsExactlyInAnyOrder("/config/baseUrl", "/config/x", "/secrets/apiKey");
        assertThat(refused(org, "{\"provider\": \"smtp\", \"name\": \"m\", \"config\": {\"host\": \"169.254.169.254\","
                + " \"port\": 70000, \"from\": \"nope\", \"starttls\": \"yes\"}, \"secrets\": {\"password\": \"p\"}}")
                .details()).extracting(FieldError::path).containsExactlyInAnyOrder("/config/host", "/config/port",
                "/config/from", "/config/starttls", "/secrets/username");
        KickoffException http = refused(org, "{\"provider\": \"http\", \"name\": \"h\", \"config\": {\"baseUrl\": "
                + "\"https://api.example.com\", \"headers\": {\"Authorization\": \"Bearer {{secrets.token}}\","
                + " \"X-Run\": \"{{input.x}}\"}}}");
        assertThat(http.details()).extracting(FieldError::path)
                .containsExactlyInAnyOrder("/config/headers/Authorization", "/config/headers/X-Run");
        assertThat(http.details().getFirst().message()).contains("secrets.token");
        // Problems name secrets, never their values.
        KickoffException longSecret = refused(org, "{\"provider\": \"stripe\", \"name\": \"s\", \"secrets\": {\"apiKey\": \""
                + "k".repeat(5000) + "\"}}");
        assertThat(longSecret.details()).extracting(FieldError::message).noneMatch(m -> m.contains("kkkk"));
        assertThat(connections.list(org)).isEmpty();
    }

    @Test
    void renderedConnectionsNeverCarrySecretsAndTheStoredItemHoldsOnlyTheSealedBlob() {
        long org = org();
        Connection c = connections.create(org, Json.parse("""
                {"provider": "http", "name": "CRM", "config": {"baseUrl": "https://crm.example.com/api",
                 "headers": {"Authorization": "Bearer {{secrets.token}}"}}, "secrets": {"token": "crm_T0ken_Value"}}"""));
        assertThat(c.id()).matches("conn_[0-9a-z]{24}");
        JsonNode shown = ConnectionService.render(connections.get(org, c.id()));
        assertThat(shown.fieldNames()).toIterable().containsExactly("id", "provider", "name", "config", "secret_keys",
                "default", "created_at", "updated_at");
        assertThat(shown.get("secret_keys")).extracting(JsonNode::asText).containsExactly("token");
        assertThat(Json.write(shown)).doesNotContain("crm_T0ken_Value");

        Map<String, AttributeValue> item = table.get(DynamoOrganizationStore.pk(org), DynamoConnectionStore.sk(c.id()), true);
        StringBuilder raw = new StringBuilder();
        item.forEach((k, v) -> raw.append(k).append('=').append(v.s() != null ? v.s()
                : v.b() != null ? new String(v.b().asByteArray(), StandardCharsets.ISO_8859_1) : v.toString()));
        assertThat(raw.toString()).doesNotContain("crm_T0ken_Value");
        assertThat(connections.open(org, Provider.HTTP, c.id(), null).secret("token")).isEqualTo("crm_T0ken_Value");
    }

    @Test
    void atMostTwentyPerOrganization() {
        long org = org();
        for (int i = 0; i < ConnectionService.MAX_PER_ORG; i++) {
            stripe(org, "s" + i, null);
        }
        KickoffException e = refused(org, "{\"provider\": \"stripe\", \"name\": \"one-too-many\", \"secrets\": {\"apiKey\": \"sk_x\"}}");
        assertThat(e.reason()).isEqualTo(Reason.VALIDATION_FAILED);
        assertThat(e.getMessage()).contains("at most 20");
        assertThat(connections.list(org)).hasSize(20);
        assertThat(connections.list(org())).as("another organization's count is its own").isEmpty();
    }

    @Test
    void oneDefaultPerProviderTheFirstByDefaultAndDeletingItLeavesNone() {
        long org = org();
        Connection first = stripe(org, "first", null);
        assertThat(first.isDefault()).as("the first of its provider").isTrue();
        Connection second = stripe(org, "second", null);
        assertThat(second.isDefault()).isFalse();
        Connection third = stripe(org, "third", true);
        assertThat(connections.list(org)).filteredOn(Connection::isDefault).extracting(Connection::id).containsExactly(third.id());
        assertThat(connections.get(org, first.id()).isDefault()).isFalse();
        assertThat(connections.open(org, Provider.STRIPE, null, null).connection().id()).isEqualTo(third.id());

        Connection moved = connections.replace(org, second.id(), Json.parse("{\"default\": true}"));
        assertThat(moved.isDefault()).isTrue();
        assertThat(connections.list(org)).filteredOn(Connection::isDefault).extracting(Connection::id).containsExactly(second.id());

        Connection smtp = connections.create(org, Json.parse("{\"provider\": \"smtp\", \"name\": \"mail\", \"config\":"
                + " {\"host\": \"smtp.example.com\", \"from\": \"o@example.com\"}}"));
        assertThat(smtp.isDefault()).as("defaults are per provider").isTrue();

        connections.delete(org, second.id());
        assertThat(connections.list(org)).filteredOn(c -> c.provider() == Provider.STRIPE && c.isDefault()).isEmpty();
        assertThatThrownBy(() -> connections.open(org, Provider.STRIPE, null, null))
                .isInstanceOf(ConnectionUnavailableException.class).hasMessageContaining("no default");
        assertThat(connections.open(org, Provider.SMTP, null, null).connection().id()).isEqualTo(smtp.id());
    }

    @Test
    void replaceKeepsWhatTheBodyDoesNotNameAndTheProviderNeverChanges() {
        long org = org();
        Connection c = stripe(org, "live", null);
        Connection renamed = connections.replace(org, c.id(), Json.parse("{\"name\": \"live EU\"}"));
        assertThat(renamed.name()).isEqualTo("live EU");
        assertThat(connections.open(org, Provider.STRIPE, c.id(), null).secret("apiKey")).isEqualTo("sk_test_live_0123456789");
        connections.replace(org, c.id(), Json.parse("{\"secrets\": {\"apiKey\": \"sk_test_rotated_999\"}}"));
        assertThat(connections.open(org, Provider.STRIPE, c.id(), null).secret("apiKey")).isEqualTo("sk_test_rotated_999");
        KickoffException e = assertThrows(() -> connections.replace(org, c.id(), Json.parse("{\"provider\": \"smtp\"}")));
        assertThat(e.details()).extracting(FieldError::path).contains("/provider");
        KickoffException noKey = assertThrows(() -> connections.replace(org, c.id(), Json.parse("{\"secrets\": {}}")));
        assertThat(noKey.details()).extracting(FieldError::path).containsExactly("/secrets/apiKey");
    }

    @Test
    void anotherOrganizationsConnectionIsNotFound() {
        long mine = org();
        long theirs = org();
        Connection c = stripe(theirs, "theirs", null);
        for (Runnable r : new Runnable[]{() -> connections.get(mine, c.id()),
                () -> connections.replace(mine, c.id(), Json.parse("{\"name\": \"x\"}")),
                () -> connections.delete(mine, c.id())}) {
            assertThat(assertThrows(r::run).reason()).isEqualTo(Reason.CONNECTION_NOT_FOUND);
        }
        assertThatThrownBy(() -> connections.open(mine, Provider.STRIPE, c.id(), null))
                .isInstanceOf(ConnectionUnavailableException.class).hasMessageContaining("not found");
        assertThat(connections.get(theirs, c.id()).name()).isEqualTo("theirs");
        // Even the sealed blob copied into another organization's item does not open there.
        Map<String, AttributeValue> stolen = new java.util.HashMap<>(table.get(DynamoOrganizationStore.pk(theirs),
                DynamoConnectionStore.sk(c.id()), true));
        stolen.put("pk", AttributeValue.fromS(DynamoOrganizationStore.pk(mine)));
        stolen.put("org_id", AttributeValue.fromN(Long.toString(mine)));
        table.client().putItem(b -> b.tableName(table.name()).item(stolen));
        assertThatThrownBy(() -> connections.open(mine, Provider.STRIPE, c.id(), null))
                .isInstanceOf(ConnectionUnavailableException.class).hasMessageContaining("cannot be opened");
    }

    @Test
    void theStepsConnectionWinsThenTheRunsIfOfTheProviderThenTheDefault() {
        long org = org();
        Connection byDefault = stripe(org, "default", null);
        Connection named = stripe(org, "named", null);
        Connection smtp = connections.create(org, Json.parse("{\"provider\": \"smtp\", \"name\": \"mail\", \"config\":"
                + " {\"host\": \"smtp.example.com\", \"from\": \"o@example.com\"}}"));
        OpenedConnection fromRun = connections.open(org, Provider.STRIPE, null, named.id());
        assertThat(fromRun.connection().id()).isEqualTo(named.id());
        assertThat(connections.open(org, Provider.STRIPE, byDefault.id(), named.id()).connection().id()).isEqualTo(byDefault.id());
        assertThat(connections.open(org, Provider.STRIPE, null, smtp.id()).connection().id())
                .as("the run's connection is for another provider: this step takes the default").isEqualTo(byDefault.id());
        assertThatThrownBy(() -> connections.open(org, Provider.SMTP, named.id(), null))
                .hasMessageContaining("is a stripe connection");
        assertThatThrownBy(() -> connections.open(org, Provider.STRIPE, null, "conn_000000000000000000000000"))
                .hasMessageContaining("the run's connectionId");
        assertThat(connections.openIfNamed(org, Provider.HTTP, null, named.id())).isNull();
    }

    private static KickoffException assertThrows(Runnable r) {
        try {
            r.run();
        } catch (KickoffException e) {
            return e;
        }
        throw new AssertionError("no refusal");
    }
}
