package dev.kickoff.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The connections API: secrets go in and never come out, every problem has a pointer, organizations are apart. */
class ConnectionsApiTest {
    static final String PATH = "/api/manage/v1/connections";
    static ApiStack stack;
    static ApiStack.Org org;
    static ApiStack.Org other;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("connections-api");
        org = stack.newOrg();
        other = stack.newOrg();
    }

    @Test
    void createReadReplaceAndDeleteNeverShowASecret() {
        String key = "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc";
        var created = stack.http.post(PATH, org.manageToken(), "{\"provider\": \"stripe\", \"name\": \"Billing\","
                + " \"config\": {\"baseUrl\": \"https://api.stripe.com\"}, \"secrets\": {\"apiKey\": \"" + key + "\"}}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.header("Cache-Control")).isEqualTo("no-store");
        JsonNode connection = created.json().get("connection");
        assertThat(connection.fieldNames()).toIterable().containsExactly("id", "provider", "name", "config",
                "secret_keys", "default", "created_at", "updated_at");
        String id = connection.get("id").asText();
        assertThat(id).startsWith("conn_");
        assertThat(created.header("Location")).isEqualTo(PATH + "/" + id);
        assertThat(connection.get("secret_keys").toString()).isEqualTo("[\"apiKey\"]");
        assertThat(connection.get("default").asBoolean()).as("the first of its provider").isTrue();

        var one = stack.http.get(PATH + "/" + id, org.manageToken());
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().get("connection")).isEqualTo(connection);
        var list = stack.http.get(PATH, org.manageToken());
        assertThat(list.json().get("connections")).anySatisfy(c -> assertThat(c.get("id").asText()).isEqualTo(id));

        String rotated = "sk_test_" + "rotatedrotatedrotated000";
        var replaced = stack.http.send("PUT", PATH + "/" + id, "{\"name\": \"Billing EU\", \"secrets\": {\"apiKey\": \""
                + rotated + "\"}}", "Authorization", "Bearer " + org.manageToken());
        assertThat(replaced.status()).as(replaced.toString()).isEqualTo(200);
        assertThat(replaced.json().get("connection").get("name").asText()).isEqualTo("Billing EU");
        assertThat(replaced.json().get("connection").get("provider").asText()).isEqualTo("stripe");

        for (var answer : java.util.List.of(created, one, list, replaced)) {
            assertThat(answer.body()).doesNotContain(key).doesNotContain(rotated).doesNotContain("4eC39Hq");
        }

        var deleted = stack.http.send("DELETE", PATH + "/" + id, (String) null,
                "Authorization", "Bearer " + org.manageToken());
        assertThat(deleted.status()).isEqualTo(204);
        assertThat(stack.http.get(PATH + "/" + id, org.manageToken()).status()).isEqualTo(404);
    }

    @Test
    void invalidBodiesAre422WithAPointerPerProblem() {
        var response = stack.http.post(PATH, org.manageToken(), "{\"provider\": \"smtp\", \"name\": \"\", "
                + "\"config\": {\"host\": \"mail.example.com\", \"port\": 70000, \"from\": \"nope\"}}");
        assertThat(response.status()).as(response.toString()).isEqualTo(422);
        assertThat(response.json().get("validation_errors")).extracting(e -> e.get("path").asText())
                .contains("/name", "/config/port", "/config/from");

        var noBody = stack.http.post(PATH, org.manageToken(), null);
        assertThat(noBody.status()).isEqualTo(400);
    }

    @Test
    void anotherOrganizationsConnectionDoesNotExistForYou() {
        var created = stack.http.post(PATH, org.manageToken(), "{\"provider\": \"http\", \"name\": \"CRM\","
                + " \"config\": {\"baseUrl\": \"https://crm.example.com\", \"headers\": {\"Authorization\":"
                + " \"Bearer {{secrets.token}}\"}}, \"secrets\": {\"token\": \"t0ps3cret\"}}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().get("connection").get("id").asText();

        var theirs = stack.http.get(PATH + "/" + id, other.manageToken());
        var unknown = stack.http.get(PATH + "/conn_doesnotexist000000000000", other.manageToken());
        assertThat(theirs.status()).isEqualTo(404);
        assertThat(theirs.body()).isEqualTo(unknown.body());
        assertThat(stack.http.send("DELETE", PATH + "/" + id, (String) null,
                "Authorization", "Bearer " + other.manageToken()).status()).isEqualTo(404);
        assertThat(stack.http.get(PATH, other.manageToken()).json().get("connections")).isEmpty();
        assertThat(stack.http.get(PATH + "/" + id, org.manageToken()).status()).as("still there").isEqualTo(200);
    }

    @Test
    void anApiTokenMayNotManageConnections() {
        var response = stack.http.get(PATH, org.apiToken());
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.json().get("error").asText()).contains("connections:read");
    }
}
