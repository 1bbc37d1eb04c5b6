package dev.kickoff.scheduler;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.adapters.aws.AwsClients;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import dev.kickoff.core.engine.StepRegistry;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.schedule.Schedule;
import dev.kickoff.emulators.DynamoDbStreamEventSource;
import dev.kickoff.emulators.EventSource;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.LocalLambdaContext;
import dev.kickoff.emulators.ScheduleEventSource;
import dev.kickoff.emulators.SqsEventSource;
import dev.kickoff.emulators.StackResources;
import dev.kickoff.emulators.testing.TestAws;
import dev.kickoff.streams.StreamsHandler;
import dev.kickoff.sweeper.SweeperHandler;
import dev.kickoff.worker.RunWorkerHandler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A managed schedule as deployed, against a fresh copy of the template's table and queues: the sweeper handler,
 * invoked by its EventBridge rule with a Scheduled Event, sends the fire due; the scheduler handler, invoked with the
 * fires queue's SQS events, starts its run; the worker runs it; the streams handler meters it. The sweeper and the
 * scheduler share a clock the test sets (so fires are due without waiting); the worker and streams run on real time.
 */
class SchedulerHandlerTest {
    /** 09:00 in Berlin (winter) on a weekday. */
    static final Instant FIRE = Instant.parse("2026-12-24T08:00:00Z");

    static final class SetClock extends Clock {
        volatile Instant now;

        SetClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    StackResources resources;
    FunctionSpec schedulerSpec;
    FunctionSpec sweeperSpec;
    Map<String, String> env;
    SetClock clock;
    CompositionRoot runtime;
    long org;
    long workflow;

    @BeforeEach
    void setUp() {
        resources = TestAws.get().provision("scheduler");
        schedulerSpec = FunctionSpec.of("SchedulerFunction", resources);
        sweeperSpec = FunctionSpec.of("SweeperFunction", resources);
        env = new HashMap<>(schedulerSpec.environment());
        env.put("KICKOFF_METRICS", "off");
        clock = new SetClock(FIRE.minus(Duration.ofMinutes(10)));
        runtime = new CompositionRoot(Settings.fromEnvironment(env), clock, StepRegistry.standard(), RunObserver.NONE,
                AwsClients.dynamoDb());
        org = runtime.organizations().create("scheduler-tests").organization().id();
        var view = runtime.workflows().create(org, Json.parse("""
                {"name": "report", "inputSchema": {"type": "object", "required": ["team"],
                  "properties": {"team": {"type": "string"}}},
                 "steps": [{"id": "echo", "type": "transform", "config": {"mapping": {"team": "{{input.team}}"}}}]}"""));
        runtime.workflows().publish(org, view.workflow().id(), null);
        workflow = view.workflow().id();
    }

    Schedule weekdaysAtNine() {
        return runtime.schedules().create(org, workflow, (ObjectNode) Json.parse("""
                {"expression": "cron(0 9 ? * MON-FRI *)", "timezone": "Europe/Berlin", "input": {"team": "ops"}}"""));
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> sweep() {
        ScheduleEventSource rule = new ScheduleEventSource(resources, sweeperSpec,
                sweeperSpec.events(EventSource.Schedule.class).getFirst(), new SweeperHandler(runtime));
        return (Map<String, Object>) rule.fire(clock.instant());
    }

    SqsEventSource scheduler() {
        return new SqsEventSource(runtime.sqs(), resources, schedulerSpec,
                schedulerSpec.events(EventSource.Sqs.class).getFirst(), new SchedulerHandler(runtime));
    }

    List<Message> receive(String queue) {
        List<Message> all = new ArrayList<>();
        while (true) {
            var batch = runtime.sqs().receiveMessage(ReceiveMessageRequest.builder().queueUrl(resources.queue(queue).url())
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL).maxNumberOfMessages(10)
                    .waitTimeSeconds(0).build()).messages();
            if (batch.isEmpty()) {
                return all;
            }
            all.addAll(batch);
        }
    }

    int messages(String queue) {
        var attributes = runtime.sqs().getQueueAttributes(b -> b.queueUrl(resources.queue(queue).url())
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
    }

    /** The SQS event Lambda's event source mapping would build for one message. */
    SQSEvent event(Message m) {
        SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
        message.setMessageId(m.messageId());
        message.setReceiptHandle(m.receiptHandle());
        message.setBody(m.body());
        Map<String, String> attributes = new HashMap<>();
        m.attributes().forEach((k, v) -> attributes.put(k.toString(), v));
        message.setAttributes(attributes);
        message.setEventSource("aws:sqs");
        message.setEventSourceArn(resources.queue("ScheduleFiresQueue").arn());
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(message));
        return event;
    }

    SQSBatchResponse handle(Message m) {
        return new SchedulerHandler(runtime).handleRequest(event(m), new LocalLambdaContext(schedulerSpec));
    }

    Schedule read(Schedule s) {
        return runtime.scheduleStore().find(org, workflow, s.id()).orElseThrow();
    }

    @Test
    void aSweepSendsTheDueFireAndTheSchedulerStartsOneRunOfThePublishedVersion() {
        Schedule s = weekdaysAtNine();
        assertThat(s.nextFireAt()).isEqualTo(FIRE);
        assertThat(messages("ScheduleFiresQueue")).as("ten minutes away: not sent at the save").isZero();
        assertThat(sweep()).containsEntry("fires_sent", 0);

        clock.now = FIRE;
        assertThat(sweep()).containsEntry("fires_sent", 1);
        assertThat(scheduler().drain()).isEqualTo(1);

        Schedule after = read(s);
        assertThat(after.lastFiredAt()).isEqualTo(FIRE);
        assertThat(after.nextFireAt()).as("Christmas Day, 09:00 in Berlin").isEqualTo(Instant.parse("2026-12-25T08:00:00Z"));
        assertThat(after.counts().started()).isEqualTo(1);
        Run run = runtime.runStore().find(after.lastRunId()).orElseThrow();
        assertThat(run.triggerType()).isEqualTo("schedule");
        assertThat(run.trigger().scheduleId()).isEqualTo(s.id());
        assertThat(run.trigger().fireTime()).isEqualTo(FIRE);
        assertThat(run.input().toString()).isEqualTo("{\"team\":\"ops\"}");
        assertThat(messages("RunsQueue")).isEqualTo(1);

        // Swept again before the next fire is due: nothing more is sent (the schedule waits for 2026-12-25).
        clock.now = FIRE.plusSeconds(30);
        assertThat(sweep()).containsEntry("fires_sent", 0);
        assertThat(messages("ScheduleFiresQueue")).isZero();
    }

    @Test
    void aFireDeliveredTwiceStartsOneRun() {
        Schedule s = weekdaysAtNine();
        clock.now = FIRE;
        // Two sweeps overlap (or EventBridge invoked the rule twice): the same fire is sent twice.
        sweep();
        sweep();
        List<Message> fires = receive("ScheduleFiresQueue");
        assertThat(fires).hasSize(2);
        assertThat(fires.get(0).body()).isEqualTo(fires.get(1).body());

        assertThat(handle(fires.get(0)).getBatchItemFailures()).isEmpty();
        assertThat(handle(fires.get(1)).getBatchItemFailures()).isEmpty();
        // And the first message once more, as SQS may deliver a message again after it was handled.
        assertThat(handle(fires.get(0)).getBatchItemFailures()).isEmpty();

        assertThat(messages("RunsQueue")).as("one run queued").isEqualTo(1);
        assertThat(read(s).counts().started()).isEqualTo(1);
    }

    @Test
    void aFireWhoseHandlerDiedAfterStartingTheRunIsHandledAgainAndStartsNoSecondRun() {
        Schedule s = weekdaysAtNine();
        clock.now = FIRE;
        sweep();
        Message fire = receive("ScheduleFiresQueue").getFirst();
        // The first delivery started the run, then its function instance died before the schedule moved on.
        Run first = runtime.runs().startFire(org, workflow, s.id(), FIRE, Json.parse("{\"team\": \"ops\"}")).run();
        assertThat(read(s).nextFireAt()).as("still waiting for the fire").isEqualTo(FIRE);

        clock.now = FIRE.plus(Duration.ofMinutes(3));  // the message is back after the visibility timeout
        assertThat(handle(fire).getBatchItemFailures()).isEmpty();

        Schedule after = read(s);
        assertThat(after.lastRunId()).isEqualTo(first.id());
        assertThat(after.nextFireAt()).isEqualTo(Instant.parse("2026-12-25T08:00:00Z"));
        assertThat(messages("RunsQueue")).isEqualTo(1);
    }

    @Test
    void aPausedScheduleIsNotSweptAndAFireSentBeforeThePauseStartsNothing() {
        Schedule s = weekdaysAtNine();
        clock.now = FIRE;
        sweep();
        runtime.schedules().update(org, workflow, s.id(), (ObjectNode) Json.parse("{\"status\": \"paused\"}"));
        assertThat(scheduler().drain()).isEqualTo(1);
        assertThat(messages("RunsQueue")).isZero();
        assertThat(read(s).nextFireAt()).isNull();
        assertThat(sweep()).containsEntry("fires_sent", 0);
    }

    @Test
    void aFiredRunIsMeteredOnceWhenItsStreamRecordsAreDeliveredTwice() {
        weekdaysAtNine();
        clock.now = FIRE;
        sweep();
        scheduler().drain();

        FunctionSpec workerSpec = FunctionSpec.of("WorkerFunction", resources);
        Map<String, String> workerEnv = new HashMap<>(workerSpec.environment());
        workerEnv.put("KICKOFF_METRICS", "off");
        try (SqsEventSource worker = new SqsEventSource(runtime.sqs(), resources, workerSpec,
                workerSpec.events(EventSource.Sqs.class).getFirst(), new RunWorkerHandler(workerEnv))) {
            assertThat(worker.drain()).isEqualTo(1);
        }

        FunctionSpec streamsSpec = FunctionSpec.of("StreamsFunction", resources);
        Map<String, String> streamsEnv = new HashMap<>(streamsSpec.environment());
        streamsEnv.put("KICKOFF_METRICS", "off");
        StreamsHandler streams = new StreamsHandler(streamsEnv);
        try (DynamoDbStreamEventSource source = new DynamoDbStreamEventSource(TestAws.get().endpoints().streamsClient(),
                resources, streamsSpec, streamsSpec.events(EventSource.DynamoDbStream.class).getFirst(),
                (event, context) -> {
                    streams.handleRequest(event, context);  // delivered, then delivered again
                    return streams.handleRequest(event, context);
                })) {
            source.drain();
        }

        // The run finished on real time: read the usage of today's month (UTC), whatever it is.
        String month = java.time.YearMonth.now(ZoneOffset.UTC).toString();
        JsonNode usage = runtime.usage().report(org, month, null).get("usage");
        assertThat(usage.get("runs").asLong()).isEqualTo(1);
        assertThat(usage.get("step_executions").asLong()).isEqualTo(1);
        assertThat(usage.get("by_workflow")).hasSize(1);
        assertThat(usage.get("by_workflow").get(0).get("runs").asLong()).isEqualTo(1);
        assertThat(usage.get("cost_cents").decimalValue()).isPositive();
    }
}
