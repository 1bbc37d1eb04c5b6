package dev.kickoff.sweeper;

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
 * Step types only these tests have (registered in META-INF/services): the worker process dies in them, as it does
 * when Lambda ends an invocation at its timeout. An Error, which nothing in the worker catches.
 */
public final class CrashSteps {
    static final Map<Long, AtomicInteger> CALLS = new ConcurrentHashMap<>();

    private CrashSteps() {
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

    /** Dies on the run's first attempt only. */
    public static final class CrashOnce extends Impure {
        @Override
        public String name() {
            return "test_crash_once";
        }

        @Override
        public StepResult execute(StepInvocation invocation) {
            if (CALLS.computeIfAbsent(invocation.run().id(), k -> new AtomicInteger()).getAndIncrement() == 0) {
                throw new WorkerDied();
            }
            return StepResult.completed(Json.object().put("survived", true));
        }
    }

    /** Dies every time: a run that can never be executed. */
    public static final class CrashAlways extends Impure {
        @Override
        public String name() {
            return "test_crash_always";
        }

        @Override
        public StepResult execute(StepInvocation invocation) {
            CALLS.computeIfAbsent(invocation.run().id(), k -> new AtomicInteger()).incrementAndGet();
            throw new WorkerDied();
        }
    }

    public static final class WorkerDied extends Error {
        WorkerDied() {
            super("simulated worker death (e.g. the function's timeout)", null, false, false);
        }
    }
}
