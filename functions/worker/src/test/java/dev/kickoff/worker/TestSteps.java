package dev.kickoff.worker;

import dev.kickoff.core.engine.StepInvocation;
import dev.kickoff.core.engine.StepResult;
import dev.kickoff.core.engine.StepType;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.workflow.StepDefinition;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Step types only the tests have (registered in META-INF/services, the way a deployment adds its own): impure
 * steps whose side effects can be counted, and failures that stand in for a dying worker or a dependency down.
 */
public final class TestSteps {
    /** Side effects per run: how many times a probe step really ran. */
    public static final Map<Long, AtomicInteger> PROBES = new ConcurrentHashMap<>();
    static final Map<Long, AtomicInteger> CRASHES = new ConcurrentHashMap<>();
    /** What a probe step does while it is in flight, per run (once): e.g. a client cancelling the run. */
    public static final Map<Long, Runnable> WHILE_IN_FLIGHT = new ConcurrentHashMap<>();

    private TestSteps() {
    }

    abstract static class Impure implements StepType {
        @Override
        public boolean pure() {
            return false;
        }

        @Override
        public List<FieldError> validate(StepDefinition step, String pointer) {
            return List.of();
        }
    }

    public static final class Probe extends Impure {
        @Override
        public String name() {
            return "test_probe";
        }

        @Override
        public StepResult execute(StepInvocation invocation) {
            int n = PROBES.computeIfAbsent(invocation.run().id(), k -> new AtomicInteger()).incrementAndGet();
            Runnable hook = WHILE_IN_FLIGHT.remove(invocation.run().id());
            if (hook != null) {
                hook.run();
            }
            // Slow enough that two concurrent deliveries overlap.
            sleep(150);
            return StepResult.completed(Json.object().put("calls", n));
        }
    }

    /** The worker process dies here on the run's first attempt: an Error nothing catches. */
    public static final class CrashOnce extends Impure {
        @Override
        public String name() {
            return "test_crash_once";
        }

        @Override
        public StepResult execute(StepInvocation invocation) {
            if (CRASHES.computeIfAbsent(invocation.run().id(), k -> new AtomicInteger()).getAndIncrement() == 0) {
                throw new WorkerDied();
            }
            return StepResult.completed(Json.object().put("survived", true));
        }
    }

    public static final class AlwaysDown extends Impure {
        @Override
        public String name() {
            return "test_always_down";
        }

        @Override
        public StepResult execute(StepInvocation invocation) {
            throw new IllegalStateException("connection refused by test dependency");
        }
    }

    /** A pure step that takes a while (300 ms): enough of them outlast a short invocation. */
    public static final class Slow implements StepType {
        @Override
        public String name() {
            return "test_slow";
        }

        @Override
        public boolean pure() {
            return true;
        }

        @Override
        public List<FieldError> validate(StepDefinition step, String pointer) {
            return List.of();
        }

        @Override
        public StepResult execute(StepInvocation invocation) {
            sleep(300);
            return StepResult.completed(Json.object().put("step", invocation.step().id()));
        }
    }

    /** A dependency that answers 503 to a run's first call and 200 after: what a step's retry is for. */
    public static final class FlakyOnce extends Impure {
        static final Map<Long, AtomicInteger> CALLS = new ConcurrentHashMap<>();

        @Override
        public String name() {
            return "test_flaky_once";
        }

        @Override
        public StepResult execute(StepInvocation invocation) {
            if (CALLS.computeIfAbsent(invocation.run().id(), k -> new AtomicInteger()).getAndIncrement() == 0) {
                return new StepResult.Failed("http_503", "test dependency answered 503", true, null);
            }
            return StepResult.completed(Json.object().put("attempt", invocation.attempt()));
        }
    }

    public static final class WorkerDied extends Error {
        WorkerDied() {
            super("simulated worker death", null, false, false);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
