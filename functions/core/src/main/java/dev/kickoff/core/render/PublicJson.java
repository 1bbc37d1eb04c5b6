package dev.kickoff.core.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunTrigger;
import dev.kickoff.core.run.RunUsage;
import dev.kickoff.core.usage.PriceList;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The public JSON of runs and cases, shared by the API and the webhook payloads so that both always show the
 * same shape: seed 000's {@code workflow_run} and seed 001's {@code case}.
 */
public final class PublicJson {
    private PublicJson() {
    }

    /** {@code 2026-05-19T12:34:56Z}, as seeds 000 and 001 print timestamps. */
    public static String seconds(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    public static String runUrl(String baseUrl, Run run) {
        return baseUrl + "/api/external/v1/workflows/" + run.workflowId() + "/runs/" + run.id();
    }

    /**
     * The {@code workflow_run} object, every field of seed 000 in its order, plus, when set: {@code error}
     * ({@code {"code", "message"}}: {@code cancelled}, {@code timed_out}, {@code step_failed}, a step's own code, …),
     * {@code case_id}, {@code replay_of} (the run this one replays) and {@code retries} (times retried from its failed
     * step); then {@code trigger} (how it was started) and {@code usage} (what it used and cost).
     */
    public static ObjectNode run(Run run, String baseUrl) {
        ObjectNode r = Json.object();
        r.put("id", run.id());
        r.put("workflow_id", run.workflowId());
        r.put("trigger_id", run.triggerId());
        r.put("status", run.status().wireName());
        r.put("mode", run.mode());
        r.put("workflow_version", run.workflowVersion());
        r.put("workflow_draft", run.workflowDraft());
        r.set("input", run.input());
        r.set("output", run.output());
        r.put("created_at", seconds(run.createdAt()));
        r.put("updated_at", seconds(run.updatedAt()));
        r.put("url", runUrl(baseUrl, run));
        if (run.failure() != null) {
            r.putObject("error").put("code", run.failure().code()).put("message", run.failure().message());
        }
        if (run.caseId() != null) {
            r.put("case_id", run.caseId());
        }
        if (run.replayOf() != null) {
            r.put("replay_of", run.replayOf());
        }
        if (run.retries() > 0) {
            r.put("retries", run.retries());
        }
        r.set("trigger", trigger(run.trigger()));
        r.set("usage", usage(run.usage()));
        return r;
    }

    /**
     * How the run was started: {@code {"type": "api", "token_id"}}, {@code {"type": "case", "case_id", "token_id"}}
     * or {@code {"type": "schedule", "schedule_id", "fire_time"}}.
     */
    public static ObjectNode trigger(RunTrigger t) {
        ObjectNode o = Json.object();
        o.put("type", t.type());
        if (t.scheduleId() != null) {
            o.put("schedule_id", t.scheduleId());
            o.put("fire_time", t.fireTime() == null ? null : t.fireTime().toString());
        }
        if (t.caseId() != null) {
            o.put("case_id", t.caseId());
        }
        if (t.tokenId() != null) {
            o.put("token_id", t.tokenId());
        }
        return o;
    }

    /** {@code {"steps", "step_ms", "outbound_requests", "cost_cents"}}; the cost is null until the run is metered. */
    public static ObjectNode usage(RunUsage u) {
        ObjectNode o = Json.object();
        o.put("steps", u.steps());
        o.put("step_ms", u.stepMs());
        o.put("outbound_requests", u.outboundRequests());
        if (u.costCents() == null) {
            o.putNull("cost_cents");
        } else {
            o.put("cost_cents", PriceList.plain(u.costCents()));
        }
        return o;
    }

    /** {@code {"workflow_run": {…}}}. */
    public static ObjectNode workflowRun(Run run, String baseUrl) {
        ObjectNode wrapper = Json.object();
        wrapper.set("workflow_run", run(run, baseUrl));
        return wrapper;
    }

    /** Seed 001's {@code case} object: {@code id, workflow_id, subject, status, attributes, created_at, updated_at}. */
    public static ObjectNode caseObject(long id, long workflowId, String subject, String status, JsonNode attributes,
                                        Instant createdAt, Instant updatedAt) {
        ObjectNode c = Json.object();
        c.put("id", id);
        c.put("workflow_id", workflowId);
        c.put("subject", subject);
        c.put("status", status);
        c.set("attributes", attributes == null ? Json.object() : attributes);
        c.put("created_at", seconds(createdAt));
        c.put("updated_at", seconds(updatedAt));
        return c;
    }
}
