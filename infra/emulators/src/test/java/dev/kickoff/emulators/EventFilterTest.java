package dev.kickoff.emulators;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Lambda's event-filtering semantics, as the local stream event source applies them. */
class EventFilterTest {
    static final ObjectMapper MAPPER = new ObjectMapper();

    static JsonNode event(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static boolean matches(String pattern, String event) {
        return EventFilter.of(List.of(pattern)).matches(event(event));
    }

    static final String RUN_DONE = """
            {"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"type": {"S": ["run"]},
             "status": {"S": ["completed", "failed", "suspended"]}}}}""";

    static String record(String eventName, String type, String status) {
        return "{\"eventName\": \"" + eventName + "\", \"dynamodb\": {\"NewImage\": {\"type\": {\"S\": \"" + type
                + "\"}, \"status\": {\"S\": \"" + status + "\"}, \"run_id\": {\"N\": \"7\"}}}}";
    }

    /** A MODIFY as DynamoDB Streams writes it: both images, the old one with its own status. */
    static String modified(String type, String oldStatus, String status) {
        return "{\"eventName\": \"MODIFY\", \"dynamodb\": {\"NewImage\": {\"type\": {\"S\": \"" + type
                + "\"}, \"status\": {\"S\": \"" + status + "\"}}, \"OldImage\": {\"type\": {\"S\": \"" + type
                + "\"}, \"status\": {\"S\": \"" + oldStatus + "\"}}}}";
    }

    @Test
    void exactValuesMatchAnyListedValueAndNestedObjectsDescend() {
        assertThat(matches(RUN_DONE, record("MODIFY", "run", "completed"))).isTrue();
        assertThat(matches(RUN_DONE, record("MODIFY", "run", "suspended"))).isTrue();
        assertThat(matches(RUN_DONE, record("MODIFY", "run", "in_progress"))).isFalse();
        assertThat(matches(RUN_DONE, record("INSERT", "run", "completed"))).isFalse();
        assertThat(matches(RUN_DONE, record("MODIFY", "case", "completed"))).isFalse();
        assertThat(matches(RUN_DONE, "{\"eventName\": \"REMOVE\", \"dynamodb\": {\"OldImage\": {}}}")).isFalse();
    }

    @Test
    void aMissingFieldNeverMatchesAValueAndMatchesOnlyExistsFalse() {
        String noStatus = "{\"eventName\": \"MODIFY\", \"dynamodb\": {\"NewImage\": {\"type\": {\"S\": \"run\"}}}}";
        assertThat(matches(RUN_DONE, noStatus)).isFalse();
        assertThat(matches("{\"dynamodb\": {\"NewImage\": {\"status\": [{\"exists\": false}]}}}", noStatus)).isTrue();
        assertThat(matches("{\"dynamodb\": {\"NewImage\": {\"type\": [{\"exists\": true}]}}}", noStatus)).isTrue();
        assertThat(matches("{\"dynamodb\": {\"NewImage\": {\"status\": [{\"exists\": true}]}}}", noStatus)).isFalse();
    }

    @Test
    void anyPatternOfSeveralIsEnoughAndNoPatternsLetEverythingThrough() {
        EventFilter two = EventFilter.of(List.of(RUN_DONE,
                "{\"eventName\": [\"INSERT\", \"MODIFY\"], \"dynamodb\": {\"NewImage\": {\"type\": {\"S\": [\"case\"]}}}}"));
        assertThat(two.matches(event(record("INSERT", "case", "Open")))).isTrue();
        assertThat(two.matches(event(record("MODIFY", "run", "failed")))).isTrue();
        assertThat(two.matches(event(record("MODIFY", "webhook_delivery", "pending")))).isFalse();
        assertThat(EventFilter.of(List.of()).matches(event("{}"))).isTrue();
    }

    @Test
    void contentFilters() {
        String e = "{\"a\": \"run.completed\", \"n\": 5, \"tags\": [\"x\", \"y\"], \"z\": null}";
        assertThat(matches("{\"a\": [{\"prefix\": \"run.\"}]}", e)).isTrue();
        assertThat(matches("{\"a\": [{\"prefix\": \"case.\"}]}", e)).isFalse();
        assertThat(matches("{\"a\": [{\"suffix\": \".completed\"}]}", e)).isTrue();
        assertThat(matches("{\"a\": [{\"equals-ignore-case\": \"RUN.COMPLETED\"}]}", e)).isTrue();
        assertThat(matches("{\"a\": [{\"anything-but\": [\"run.failed\"]}]}", e)).isTrue();
        assertThat(matches("{\"a\": [{\"anything-but\": \"run.completed\"}]}", e)).isFalse();
        assertThat(matches("{\"a\": [{\"anything-but\": {\"prefix\": \"run.\"}}]}", e)).isFalse();
        assertThat(matches("{\"n\": [{\"numeric\": [\">\", 1, \"<=\", 5]}]}", e)).isTrue();
        assertThat(matches("{\"n\": [{\"numeric\": [\">\", 5]}]}", e)).isFalse();
        assertThat(matches("{\"n\": [5.0]}", e)).as("numbers compare by value").isTrue();
        assertThat(matches("{\"n\": [\"5\"]}", e)).as("a string is not a number").isFalse();
        assertThat(matches("{\"tags\": [\"y\"]}", e)).as("an array value matches if any element does").isTrue();
        assertThat(matches("{\"z\": [null]}", e)).isTrue();
        assertThat(matches("{\"a\": [null]}", e)).isFalse();
    }

    @Test
    void invalidPatternsAreRefusedAsLambdaRefusesThem() {
        assertThatThrownBy(() -> EventFilter.of(List.of("{\"eventName\": \"MODIFY\"}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("array");
        assertThatThrownBy(() -> EventFilter.of(List.of("[1]"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventFilter.of(List.of("{\"a\": []}"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theTemplatesPatternsParse() {
        var template = CloudFormationTemplate.load(CloudFormationTemplate.locate());
        var events = (java.util.Map<?, ?>) template.properties("StreamsFunction").get("Events");
        var stream = (java.util.Map<?, ?>) ((java.util.Map<?, ?>) events.get("TableStream")).get("Properties");
        var filters = (List<?>) ((java.util.Map<?, ?>) stream.get("FilterCriteria")).get("Filters");
        List<String> patterns = filters.stream().map(f -> String.valueOf(((java.util.Map<?, ?>) f).get("Pattern"))).toList();
        EventFilter filter = EventFilter.of(patterns);
        assertThat(filter.matches(event(modified("run", "in_progress", "completed")))).isTrue();
        assertThat(filter.matches(event(modified("run", "in_progress", "in_progress")))).isFalse();
        assertThat(filter.matches(event(modified("run", "completed", "completed")))).as("a finished run written again "
                + "(metering puts its cost on it) reaches nothing").isFalse();
        assertThat(filter.matches(event(modified("run", "suspended", "in_progress")))).as("run.resumed").isTrue();
        assertThat(filter.matches(event(record("INSERT", "run", "pending")))).isFalse();
        assertThat(filter.matches(event(record("INSERT", "case", "Open")))).isTrue();
        assertThat(filter.matches(event(record("REMOVE", "case", "Open")))).isFalse();
        assertThat(filter.matches(event(record("INSERT", "webhook_event", "x")))).isFalse();
    }
}
