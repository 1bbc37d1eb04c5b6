package dev.kickoff.streams;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunRequest;
import dev.kickoff.emulators.DynamoDbStreamEventSource;
import dev.kickoff.emulators.EventSource;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.StackResources;
import dev.kickoff.emulators.testing.TestAws;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streams function behind the template's filter, on DynamoDB Local's stream: which writes reach it, and
 * how a failing fan-out is retried from the failed record.
 */
class StreamFilterTest {
    StackResources resources;
    CompositionRoot runtime;
    FunctionSpec spec;
    Map<String, String> environment;
    final List<DynamodbEvent.DynamodbStreamRecord> seen = new ArrayList<>();

    @BeforeEach
    void setUp() {
        resources = TestAws.get().provision("stream-filter");
        spec = FunctionSpec.of("StreamsFunction", resources);
        environment = new HashMap<>(spec.environment());
        environment.put("KICKOFF_PUBLIC_URL", "https://api.kickoff.test");
        environment.put("KICKOFF_METRICS", "off");
        runtime = new CompositionRoot(Settings.fromEnvironment(environment));
    }

    DynamoDbStreamEventSource source(RequestHandler<DynamodbEvent, StreamsEventResponse> handler) {
        return new DynamoDbStreamEventSource(TestAws.get().endpoints().streamsClient(), resources, spec,
                spec.events(EventSource.DynamoDbStream.class).getFirst(), (event, context) -> {
                    seen.addAll(event.getRecords());
                    return handler.handleRequest(event, context);
                });
    }

    List<Message> deliveryMessages() {
        List<Message> all = new ArrayList<>();
        while (true) {
            var batch = runtime.sqs().receiveMessage(ReceiveMessageRequest.builder()
                    .queueUrl(runtime.settings().webhookQueueUrl()).maxNumberOfMessages(10).waitTimeSeconds(0).build())
                    .messages();
            if (batch.isEmpty()) {
                return all;
            }
            all.addAll(batch);
        }
    }

    @Test
    void onlyRunAndCaseTransitionsReachTheFunction() {
        var source = source(new StreamsHandler(environment));
        // Organization, tokens, a workflow and its versions, a subscription, a run created and claimed: none is
        // an event, so the function is never invoked.
        var boot = runtime.organizations().create("filter");
        long org = boot.organization().id();
        var view = runtime.workflows().create(org, Json.parse("{\"name\": \"w\", \"steps\": [{\"id\": \"t\", "
                + "\"type\": \"transform\", \"config\": {\"mapping\": {\"a\": 1}}}]}"));
        runtime.workflows().publish(org, view.workflow().id(), null);
        runtime.webhooks().create(org, Json.parse("{\"url\": \"https://hooks.example.com/in\", "
                + "\"events\": [\"run.completed\"]}"));
        Run run = runtime.runs().start(new Principal(org, 1, "t", Scope.API), view.workflow().id(),
                new RunRequest(Json.parse("{}"), null)).run();
        Instant now = Instant.now();
        runtime.runStore().claim(run.id(), "w1", now, now.plusSeconds(60));
        source.drain();
        assertThat(source.invocations()).isZero();
        assertThat(seen).isEmpty();

        // The run finishing is the one record that gets through, and it becomes one delivery.
        Run claimed = runtime.runStore().find(run.id()).orElseThrow();
        runtime.runStore().finish(claimed.toBuilder().status(dev.kickoff.core.run.RunStatus.COMPLETED)
                .output(Json.parse("{\"a\":1}")).updatedAt(now.plusMillis(5)).completedAt(now.plusMillis(5)).build());
        source.drain();
        assertThat(source.invocations()).isEqualTo(1);
        assertThat(seen).hasSize(1);
        assertThat(seen.getFirst().getEventName()).isEqualTo("MODIFY");
        assertThat(seen.getFirst().getDynamodb().getNewImage().get("status").getS()).isEqualTo("completed");
        assertThat(seen.getFirst().getDynamodb().getOldImage().get("status").getS()).isEqualTo("in_progress");
        assertThat(seen.getFirst().getEventSourceARN()).isEqualTo(resources.table("KickoffTable").streamArn());
        List<Message> queued = deliveryMessages();
        assertThat(queued).hasSize(1);
        assertThat(Json.parse(queued.getFirst().body()).get("attempt").asInt()).isEqualTo(1);
    }

    @Test
    void aFailedFanOutIsReportedAndRetriedFromThatRecordWithoutDuplicates() {
        var boot = runtime.organizations().create("retry");
        long org = boot.organization().id();
        runtime.webhooks().create(org, Json.parse("{\"url\": \"https://hooks.example.com/in\", "
                + "\"events\": [\"case.created\"]}"));
        int[] calls = {0};
        StreamsHandler real = new StreamsHandler(environment);
        // The first invocation fails on its second record (as if SQS were briefly unreachable).
        var source = source((event, context) -> {
            calls[0]++;
            if (calls[0] == 1 && event.getRecords().size() >= 2) {
                real.handleRequest(new DynamodbEvent() {{
                    setRecords(List.of(event.getRecords().getFirst()));
                }}, context);
                return new StreamsEventResponse(List.of(new StreamsEventResponse.BatchItemFailure(
                        event.getRecords().get(1).getDynamodb().getSequenceNumber())));
            }
            return real.handleRequest(event, context);
        });
        for (int i = 0; i < 3; i++) {
            putCase(org, 1000 + i);
        }
        source.drain();
        assertThat(calls[0]).as("the failed batch was retried").isEqualTo(2);
        assertThat(seen).hasSize(3 + 2);
        assertThat(deliveryMessages()).as("one delivery per case, none twice").hasSize(3);
        assertThat(source.discarded()).isEmpty();
    }

    void putCase(long org, long caseId) {
        String now = Instant.now().toString();
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> item = new HashMap<>(Map.of(
                "pk", av("CASE#" + caseId), "sk", av("CASE"), "type", av("case"),
                "case_id", avn(caseId), "org_id", avn(org), "workflow_id", avn(7),
                "subject", av("s"), "status", av("Open"), "attributes", av("{}")));
        item.put("created_at", av(now));
        item.put("updated_at", av(now));
        runtime.dynamo().putItem(b -> b.tableName(runtime.settings().table()).item(item));
    }

    static software.amazon.awssdk.services.dynamodb.model.AttributeValue av(String s) {
        return software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(s);
    }

    static software.amazon.awssdk.services.dynamodb.model.AttributeValue avn(long n) {
        return software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN(Long.toString(n));
    }
}
