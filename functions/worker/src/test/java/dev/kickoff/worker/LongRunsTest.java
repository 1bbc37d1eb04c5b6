package dev.kickoff.worker;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunRequest;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.emulators.EventSource;
import dev.kickoff.emulators.FunctionSpec;
import dev.kickoff.emulators.SqsEventSource;
import dev.kickoff.emulators.StackResources;
import dev.kickoff.emulators.testing.TestAws;
import dev.kickoff.bootstrap.CompositionRoot;
import dev.kickoff.bootstrap.Settings;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run longer than one worker invocation, from the real queue: it yields before each invocation's deadline and
 * completes over several, each with a fresh message, so nothing piles up towards the dead-letter queue.
 */
class LongRunsTest {
    /** One invocation as the event source made it: what the messages said, and how long it took. */
    record Invocation(List<String> receiveCounts, long tookMillis, int budgetMillis, int failures) {
    }

    @Test
    void aLongRunYieldsBeforeEachDeadlineAndCompletesOverSeveralInvocations() {
        StackResources resources = TestAws.get().provision("long-runs");
        FunctionSpec declared = FunctionSpec.of("WorkerFunction", resources);
        CompositionRoot runtime = new CompositionRoot(Settings.fromEnvironment(declared.environment()));
        var org = runtime.organizations().create("long-runs").organization();
        Principal principal = new Principal(org.id(), 1, "tests", Scope.API);

        // Twelve steps of 300 ms each: 3.6 s of work for a worker whose invocations last 2 s.
        String steps = String.join(",", IntStream.range(0, 12)
                .mapToObj(i -> "{\"id\": \"s" + i + "\", \"type\": \"test_slow\"}").toList());
        var view = runtime.workflows().create(org.id(), Json.parse("""
                {"name": "long", "output": {"last": "{{steps.s11.output.step}}"}, "steps": [%s]}""".formatted(steps)));
        runtime.workflows().publish(org.id(), view.workflow().id(), null);
        Run run = runtime.runs().start(principal, view.workflow().id(), new RunRequest(Json.object(), null)).run();

        FunctionSpec shortLived = new FunctionSpec(declared.logicalId(), declared.handlerClass(),
                declared.handlerMethod(), declared.codeUri(), 2, declared.memorySize(), declared.environment(),
                declared.events());
        RunWorkerHandler worker = new RunWorkerHandler(declared.environment());
        List<Invocation> invocations = new ArrayList<>();
        RequestHandler<SQSEvent, SQSBatchResponse> measured = (SQSEvent event, Context context) -> {
            int budget = context.getRemainingTimeInMillis();
            long start = System.nanoTime();
            SQSBatchResponse response = worker.handleRequest(event, context);
            invocations.add(new Invocation(event.getRecords().stream()
                    .map(m -> m.getAttributes().get("ApproximateReceiveCount")).toList(),
                    (System.nanoTime() - start) / 1_000_000, budget, response.getBatchItemFailures().size()));
            return response;
        };
        var source = new SqsEventSource(runtime.sqs(), resources, shortLived,
                shortLived.events(EventSource.Sqs.class).getFirst(), measured);

        for (int i = 0; i < 10 && runtime.runStore().find(run.id()).orElseThrow().status() != RunStatus.COMPLETED; i++) {
            source.pollOnce(1);
        }

        Run done = runtime.runStore().find(run.id()).orElseThrow();
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(Json.write(done.output())).isEqualTo("{\"last\":\"s11\"}");
        assertThat(done.steps()).hasSize(12).allMatch(s -> s.completed());
        // How long each invocation took is not asserted (a loaded machine stretches any of them; the deadline itself
        // is tested on a controlled clock in RunExecutorDeadlineTest and InvocationsTest): what matters here is that
        // the run went on over several invocations, each ending with its message settled and a fresh one sent.
        assertThat(invocations).as("more than one invocation").hasSizeGreaterThan(1)
                .allSatisfy(inv -> {
                    assertThat(inv.failures()).isZero();
                    assertThat(inv.receiveCounts()).as("every delivery is a fresh message").containsOnly("1");
                });
        assertThat(done.attempts()).isEqualTo(invocations.size());
        assertThat(messages(runtime, resources.queue("RunsQueue").url())).as("nothing left behind").isZero();
        assertThat(messages(runtime, resources.queue("RunsDeadLetterQueue").url())).isZero();
    }

    private static int messages(CompositionRoot runtime, String url) {
        Map<QueueAttributeName, String> attributes = runtime.sqs().getQueueAttributes(b -> b.queueUrl(url)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }
}
