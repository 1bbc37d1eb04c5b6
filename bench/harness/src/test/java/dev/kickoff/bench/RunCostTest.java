package dev.kickoff.bench;

import dev.kickoff.bench.cost.CostModel;
import dev.kickoff.bench.cost.Ledger;
import dev.kickoff.bench.cost.RunBudget;
import dev.kickoff.bench.cost.RunCost;
import dev.kickoff.emulators.testing.TestAws;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cost of a run as a regression test: the AWS requests and capacity units a single-step run makes, booked by
 * {@link dev.kickoff.bench.cost.CostMeter} on the functions' own SDK clients (DynamoDB reports the capacity it
 * charged), must stay within {@link RunBudget}. A change that makes a run cost more fails here; if the cost is
 * deliberate, raise the budget and refresh the cost table in docs/benchmarks.md ({@code ./kickoff bench}).
 */
class RunCostTest {
    static final String HINT = " — a run now costs more than RunBudget allows; if that is deliberate, raise the budget"
            + " and refresh docs/benchmarks.md (./kickoff bench)";

    static BenchStack stack;
    static long workflow;
    static RunCost cost;

    @BeforeAll
    static void setUp() {
        stack = BenchStack.provision(TestAws.get().endpoints(), "t" + ProcessHandle.current().pid() + "-cost");
        workflow = stack.publish(BenchStack.ONE_STEP);
        cost = new RunCost(stack);
        cost.warmUp(workflow, 2);  // the worker instance caches the workflow version, as a warm Lambda does
    }

    static double perRun(double total, RunCost.Sample sample) {
        return total / sample.runs();
    }

    static double units(Ledger ledger, String... operations) {
        double sum = 0;
        for (String op : operations) {
            sum += ledger.line("DynamoDb", op).capacityUnits() + ledger.line("DynamoDb", op).failures();
        }
        return sum;
    }

    @Test
    void theApiFunctionReadsTwoSmallItemsWritesTwoAndSendsOneMessagePerRun() {
        RunCost.Sample s = cost.measure(workflow, 3, 1, null);
        Ledger api = s.api();

        assertThat(api.line("DynamoDb", "BatchGetItem").capacityUnits())
                .as("DynamoDB reports consumed capacity to the meter; a warm instance reads the token and the "
                        + "workflow head in one BatchGetItem").isPositive();
        assertThat(perRun(units(api, "GetItem", "Query", "BatchGetItem", "TransactGetItems"), s))
                .as("API read units per run" + HINT).isLessThanOrEqualTo(RunBudget.API_READ_UNITS);
        assertThat(perRun(units(api, "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"), s))
                .as("API write units per run" + HINT).isLessThanOrEqualTo(RunBudget.API_WRITE_UNITS);
        assertThat(perRun(api.calls("DynamoDb"), s)).as("API DynamoDB calls per run" + HINT)
                .isLessThanOrEqualTo(RunBudget.API_DYNAMODB_CALLS);
        assertThat(perRun(api.calls("Sqs"), s)).as("API SQS requests per run" + HINT)
                .isLessThanOrEqualTo(RunBudget.API_SQS_REQUESTS);
    }

    @Test
    void theWorkerReadsAndEndsEachPureRunWithoutAClaim() {
        RunCost.Sample s = cost.measure(workflow, 20, 10, null);
        Ledger worker = s.worker();

        assertThat(worker.line("DynamoDb", "UpdateItem").calls()).as("the worker ran the runs, one write each")
                .isEqualTo(s.runs());
        assertThat(perRun(worker.calls("DynamoDb"), s)).as("worker DynamoDB calls per run" + HINT)
                .isLessThanOrEqualTo(RunBudget.WORKER_DYNAMODB_CALLS);
        assertThat(perRun(units(worker, "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"), s))
                .as("worker write units per run" + HINT).isLessThanOrEqualTo(RunBudget.WORKER_WRITE_UNITS);
        assertThat(perRun(units(worker, "GetItem", "Query", "BatchGetItem", "TransactGetItems"), s))
                .as("worker read units per run (warm instance)" + HINT).isLessThanOrEqualTo(RunBudget.WORKER_READ_UNITS);
        long batches = worker.line("Sqs", "ReceiveMessage").calls();
        assertThat(batches).as("ten runs a batch").isEqualTo(2);
        assertThat(worker.calls("Sqs")).as("SQS requests of the event source and the worker" + HINT)
                .isLessThanOrEqualTo(batches * RunBudget.EVENT_SOURCE_SQS_REQUESTS_PER_BATCH);
    }

    @Test
    void theStreamsFunctionMetersEachFinishOnceBehindTheTemplatesFilter() {
        RunCost.Sample s = cost.measure(workflow, 3, 1, null);
        Ledger streams = s.streams();

        assertThat(s.streamsInvocations()).as("light traffic: each finish is its own stream batch; the filter lets "
                + "through only the transition into completed (not the API's insert, not metering's own writes)")
                .isEqualTo(s.runs());
        assertThat(streams.line("DynamoDb", "TransactWriteItems").calls()).as("one metering transaction per finish")
                .isEqualTo(s.runs());
        assertThat(perRun(streams.calls("DynamoDb"), s)).as("streams DynamoDB calls per run" + HINT)
                .isLessThanOrEqualTo(RunBudget.STREAMS_DYNAMODB_CALLS);
        assertThat(perRun(units(streams, "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"),
                s)).as("streams write units per run (metering and the webhook fan-out)" + HINT)
                .isLessThanOrEqualTo(RunBudget.STREAMS_WRITE_UNITS);
        assertThat(perRun(units(streams, "GetItem", "Query", "BatchGetItem", "TransactGetItems"), s))
                .as("streams read units per run" + HINT).isLessThanOrEqualTo(RunBudget.STREAMS_READ_UNITS);
        assertThat(streams.calls("Sqs")).as("no subscription: nothing queued for delivery").isZero();

        RunCost.Sample busy = cost.measure(workflow, 20, 10, null);
        assertThat(busy.streamsInvocations()).as("busy: a worker batch's finishes reach the streams function together")
                .isEqualTo(2);
        assertThat(busy.streams().line("DynamoDb", "TransactWriteItems").calls()).as("every finish metered")
                .isPositive();
        assertThat(perRun(units(busy.streams(), "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems",
                "BatchWriteItem"), busy)).as("streams write units per run, busy" + HINT)
                .isLessThanOrEqualTo(RunBudget.STREAMS_WRITE_UNITS);
    }

    @Test
    void requestChargesStayUnderBudgetEvenWhenEveryRunIsItsOwnBatch() {
        RunCost.Sample s = cost.measure(workflow, 3, 1, null);
        CostModel.Bill bill = CostModel.price(s, 1.0, 1.0);
        double requestCharges = bill.lines().stream()
                .filter(l -> !l.item().startsWith("CloudWatch") && !l.item().startsWith("X-Ray")
                        && !l.item().startsWith("Lambda duration"))
                .mapToDouble(CostModel.Line::perMillion).sum();
        assertThat(requestCharges).as("request charges per million single-step runs, batch size 1" + HINT)
                .isGreaterThan(1.0)  // API Gateway alone is $1
                .isLessThanOrEqualTo(RunBudget.REQUEST_DOLLARS_PER_MILLION);
    }
}
