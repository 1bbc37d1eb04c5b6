package dev.kickoff.core.schedule;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.engine.StepRegistry;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.RunObserver;
import dev.kickoff.core.port.ScheduleFires;
import dev.kickoff.core.run.RunService;
import dev.kickoff.core.schema.JsonSchemas;
import dev.kickoff.core.testing.InMemoryBillingStore;
import dev.kickoff.core.testing.InMemoryIdempotencyStore;
import dev.kickoff.core.testing.InMemoryRunStore;
import dev.kickoff.core.testing.InMemoryScheduleStore;
import dev.kickoff.core.testing.InMemoryUsageStore;
import dev.kickoff.core.testing.InMemoryWorkflowStore;
import dev.kickoff.core.testing.MutableClock;
import dev.kickoff.core.usage.BillingSettings;
import dev.kickoff.core.usage.MonthlyRunQuota;
import dev.kickoff.core.workflow.VersionCache;
import dev.kickoff.core.workflow.WorkflowDefinitions;
import dev.kickoff.core.workflow.WorkflowService;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The schedules' core wired to in-memory stores, on a clock the tests move. */
final class ScheduleFixture {
    static final long ORG = 7;
    static final String REPORT = """
            {"name": "Daily report", "trigger": {"type": "api"},
             "inputSchema": {"type": "object", "required": ["team"], "properties": {"team": {"type": "string"},
               "days": {"type": "integer", "minimum": 1, "default": 1}}},
             "steps": [{"id": "echo", "type": "transform", "config": {"mapping": {"team": "{{input.team}}"}}}]}""";

    final MutableClock clock;
    final InMemoryWorkflowStore workflows = new InMemoryWorkflowStore();
    final InMemoryRunStore runs = new InMemoryRunStore();
    final InMemoryIdempotencyStore keys = new InMemoryIdempotencyStore();
    final InMemoryScheduleStore schedules = new InMemoryScheduleStore();
    final InMemoryUsageStore usage = new InMemoryUsageStore();
    final InMemoryBillingStore billingStore = new InMemoryBillingStore();
    final List<Long> queued = new ArrayList<>();
    /** Thread-safe: the sweep sends from one virtual thread per partition. */
    final List<ScheduleFires.Pending> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    final WorkflowService workflowService;
    final BillingSettings billing;
    final RunService runService;
    final ScheduleService service;
    final ScheduleFirer firer;
    final ScheduleSweep sweep;
    boolean queueDown;

    ScheduleFixture(Instant start) {
        clock = new MutableClock(start);
        IdGenerator ids = new IdGenerator(clock);
        workflowService = new WorkflowService(workflows,
                new WorkflowDefinitions(StepRegistry.standard(), List.of(JsonSchemas.definitionCheck())), ids, clock);
        VersionCache versions = new VersionCache(workflows, 16);
        billing = new BillingSettings(billingStore, clock);
        runService = new RunService(workflows, versions, runs, keys, (org, run) -> {
            if (queueDown) {
                throw new IllegalStateException("queue down");
            }
            queued.add(run);
        }, ids, clock, RunObserver.NONE, Duration.ofHours(24), new MonthlyRunQuota(billing, usage, clock));
        ScheduleFires fires = pending -> sent.addAll(pending);
        service = new ScheduleService(workflows, versions, schedules, fires, ids, clock);
        firer = new ScheduleFirer(schedules, runService, clock);
        sweep = new ScheduleSweep(schedules, fires, clock, ScheduleSweep.DEFAULT_MAX_FIRES);
    }

    long publish(String definition) {
        var view = workflowService.create(ORG, Json.parse(definition));
        workflowService.publish(ORG, view.workflow().id(), null);
        return view.workflow().id();
    }

    Schedule create(long workflow, String json) {
        return service.create(ORG, workflow, (ObjectNode) Json.parse(json));
    }

    Schedule read(Schedule s) {
        return schedules.schedules.get(s.id());
    }

    ScheduleFirer.Result fire(Schedule s, Instant at) {
        return firer.fire(s.orgId(), s.workflowId(), s.id(), at);
    }
}
