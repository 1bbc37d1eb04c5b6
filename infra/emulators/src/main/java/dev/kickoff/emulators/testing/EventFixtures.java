package dev.kickoff.emulators.testing;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Lambda events from JSON fixtures on the test classpath ({@code src/test/resources/events/*.json}), written the way
 * AWS sends them ({@code "Records"}, {@code "NewImage"}, {@code "detail-type"}), as Powertools' tests load theirs: a
 * handler test then reads like the event it handles.
 */
public final class EventFixtures {
    /** The events' bean properties, matched regardless of case (AWS capitalises some: Records, NewImage, S, N). */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private EventFixtures() {
    }

    public static SQSEvent sqs(String resource) {
        return load(resource, SQSEvent.class);
    }

    public static DynamodbEvent dynamodb(String resource) {
        return load(resource, DynamodbEvent.class);
    }

    /** A Scheduled Event; its {@code detail-type} has a dash no bean property has, so it is set by hand. */
    public static ScheduledEvent scheduled(String resource) {
        ScheduledEvent event = load(resource, ScheduledEvent.class);
        try (InputStream in = open(resource)) {
            var tree = MAPPER.readTree(in);
            if (tree.hasNonNull("detail-type")) {
                event.setDetailType(tree.get("detail-type").asText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return event;
    }

    private static <T> T load(String resource, Class<T> type) {
        try (InputStream in = open(resource)) {
            return MAPPER.readValue(in, type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the fixture " + resource, e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalArgumentException("no fixture " + resource + " on the test classpath");
        }
        return in;
    }
}
