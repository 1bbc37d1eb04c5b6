package dev.kickoff.adapters.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunError;
import dev.kickoff.core.run.RunSignal;
import dev.kickoff.core.run.RunSignals;
import dev.kickoff.core.run.RunStatus;
import dev.kickoff.core.run.StepRecord;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A run is one item, {@code pk=RUN#<id> sk=RUN}: one partition per run, so runs spread over the whole table
 * whatever their org or workflow. JSON values (input, output, step records) are stored as JSON text, which
 * keeps numbers exactly as sent.
 *
 * <p>While a run that the sweeper must be able to find is {@code pending} or {@code in_progress} it also carries
 * {@code gsi2pk}/{@code gsi2sk}, its entry in the sparse, keys-only index of active runs: set by the first
 * redelivery of its message, or by its dead letter ({@link DynamoRunStore#watch}); removed by the write that ends it.
 * Every run is queued before it is stored, so none is listed unless its delivery goes wrong.
 *
 * <p>Every run is in the runs list ({@code gsi4}, keys only) from the write that creates it: {@code gsi4pk =
 * RUNS#<org>#<workflow>#<run ID mod 16>}, {@code gsi4sk = <created at, fixed width>#<run ID, 16 digits>}. The keys
 * never change, so no later write of the run touches the index. Signals a client sent and no step has taken yet are
 * kept in {@code signals} (a list of maps, appended to by the API, an element removed by the worker that takes it);
 * {@code wait_signal} names the one a suspended run waits for; {@code signal_keys} holds the IDs of keyed signals.
 */
final class RunItems {
    static final String SK = "RUN";
    /** The sparse index of runs not finished yet (template.yaml: KickoffTable's gsi2, keys only). */
    static final String ACTIVE_INDEX = "gsi2";
    /**
     * Index partitions: an index partition key takes at most 1,000 writes a second, and a listed run writes its entry
     * twice (listed, unlisted), so 64 partitions carry about 32,000 runs a second (10,000 use a third of that).
     * The sweeper queries each once a sweep. Changing it strands the entries of the partitions that go away.
     */
    static final int ACTIVE_PARTITIONS = 64;

    private RunItems() {
    }

    static String pk(long runId) {
        return "RUN#" + runId;
    }

    static String activePartition(int partition) {
        return "ACTIVE#" + partition;
    }

    /** Spread by the ID's low bits, which are random (see IdGenerator). */
    /** The sparse, keys-only index of long waits (template.yaml: KickoffTable's gsi3), read by the sweeper. */
    static final String WAKE_INDEX = "gsi3";

    static String wakePartition(int partition) {
        return "WAKE#" + partition;
    }

    /** Soonest first within a partition: the wake time, fixed-width, the padded ID, then its org (for the message). */
    static String wakeSortKey(Instant wakeAt, long runId, long orgId) {
        return Attrs.sortable(wakeAt) + "#" + Attrs.pad(runId) + "#" + orgId;
    }

    static int activePartitionOf(long runId) {
        return (int) Math.floorMod(runId, (long) ACTIVE_PARTITIONS);
    }

    /** The runs list (template.yaml: KickoffTable's gsi4, keys only), read by the API. */
    static final String LIST_INDEX = "gsi4";
    /**
     * Runs-list shards per workflow: an index partition takes about 1,000 writes a second and the list's sort key
     * grows with time (every write lands at its newest end, which DynamoDB cannot split), so a workflow starting 10,000
     * runs a second needs its entries spread: 16 shards take 625 each. A page reads all 16, newest first, merged.
     * Changing it strands the entries of shards that go away.
     */
    static final int LIST_SHARDS = 16;

    static String listPartition(long orgId, long workflowId, int shard) {
        return "RUNS#" + orgId + "#" + workflowId + "#" + shard;
    }

    static int listShardOf(long runId) {
        return (int) Math.floorMod(runId, (long) LIST_SHARDS);
    }

    /** Newest first with ScanIndexForward=false: the creation time, fixed width, then the padded ID (unique). */
    static String listSortKey(Instant createdAt, long runId) {
        return Attrs.sortable(createdAt) + "#" + Attrs.pad(runId);
    }

    /** Oldest first within a partition: the creation time, fixed-width, then the padded ID. */
    static String activeSortKey(Instant createdAt, long runId) {
        return Attrs.sortable(createdAt) + "#" + Attrs.pad(runId);
    }

    /** The item of a new run (not listed: see the class comment). */
    static Map<String, AttributeValue> toItem(Run run) {
        Map<String, AttributeValue> item = new HashMap<>(DynamoTable.key(pk(run.id()), SK));
        item.put("type", Attrs.s("run"));
        item.put("run_id", Attrs.n(run.id()));
        item.put("org_id", Attrs.n(run.orgId()));
        item.put("workflow_id", Attrs.n(run.workflowId()));
        item.put("workflow_version", Attrs.n(run.workflowVersion()));
        item.put("workflow_draft", Attrs.bool(run.workflowDraft()));
        item.put("trigger_id", Attrs.n(run.triggerId()));
        item.put("trigger_type", Attrs.s(run.triggerType()));
        if (run.triggeredBy() != null) {
            item.put("triggered_by", Attrs.s(run.triggeredBy()));
        }
        item.put("mode", Attrs.s(run.mode()));
        item.put("input", Attrs.s(Json.write(run.input())));
        if (run.connectionId() != null) {
            item.put("connection_id", Attrs.s(run.connectionId()));
        }
        if (run.caseId() != null) {
            item.put("case_id", Attrs.n(run.caseId()));
        }
        item.put("created_at", Attrs.instant(run.createdAt()));
        item.put("status", Attrs.s(run.status().wireName()));
        if (run.output() != null) {
            item.put("output", Attrs.s(Json.write(run.output())));
        }
        if (run.failure() != null) {
            item.put("error", Attrs.s(run.failure().message()));
            item.put("error_code", Attrs.s(run.failure().code()));
        }
        if (run.wakeAt() != null) {
            item.put("wake_at", Attrs.n(run.wakeAt().toEpochMilli()));
        }
        if (run.replayOf() != null) {
            item.put("replay_of", Attrs.n(run.replayOf()));
        }
        if (run.retries() > 0) {
            item.put("retries", Attrs.n(run.retries()));
        }
        if (run.fireTime() != null) {
            item.put("fire_time", Attrs.instant(run.fireTime()));
        }
        item.put("steps", Attrs.s(steps(run.steps())));
        item.put("updated_at", Attrs.instant(run.updatedAt()));
        if (run.startedAt() != null) {
            item.put("started_at", Attrs.instant(run.startedAt()));
        }
        if (run.completedAt() != null) {
            item.put("completed_at", Attrs.instant(run.completedAt()));
        }
        item.put("attempts", Attrs.n(run.attempts()));
        item.put("gsi4pk", Attrs.s(listPartition(run.orgId(), run.workflowId(), listShardOf(run.id()))));
        item.put("gsi4sk", Attrs.s(listSortKey(run.createdAt(), run.id())));
        if (!run.signals().kept().isEmpty()) {
            item.put("signals", signalList(run.signals().kept()));
        }
        if (run.signals().awaited() != null) {
            item.put("wait_signal", Attrs.s(run.signals().awaited()));
        }
        if (!run.signals().keys().isEmpty()) {
            item.put("signal_keys", AttributeValue.fromSs(List.copyOf(run.signals().keys())));
        }
        return item;
    }

    /** One kept signal, as an element of the run's {@code signals} list; the payload as JSON text (exact numbers). */
    static AttributeValue signal(RunSignal signal) {
        return AttributeValue.fromM(Map.of(
                "id", Attrs.s(signal.id()),
                "name", Attrs.s(signal.name()),
                "payload", Attrs.s(Json.write(signal.payload())),
                "received_at", Attrs.instant(signal.receivedAt())));
    }

    static AttributeValue signalList(List<RunSignal> signals) {
        return AttributeValue.fromL(signals.stream().map(RunItems::signal).toList());
    }

    static RunSignals signals(Map<String, AttributeValue> item) {
        List<RunSignal> kept = new ArrayList<>();
        AttributeValue list = item.get("signals");
        if (list != null && list.hasL()) {
            for (AttributeValue v : list.l()) {
                Map<String, AttributeValue> m = v.m();
                kept.add(new RunSignal(Attrs.str(m, "id"), Attrs.str(m, "name"), Json.read(Attrs.str(m, "payload")),
                        Attrs.time(m, "received_at")));
            }
        }
        AttributeValue keys = item.get("signal_keys");
        return new RunSignals(kept, Attrs.str(item, "wait_signal"),
                keys != null && keys.hasSs() ? java.util.Set.copyOf(keys.ss()) : java.util.Set.of());
    }

    static Run fromItem(Map<String, AttributeValue> item) {
        Long lease = Attrs.numOrNull(item, "lease_until");
        Long wake = Attrs.numOrNull(item, "wake_at");
        String error = Attrs.str(item, "error");
        String code = Attrs.str(item, "error_code");
        return new Run(
                Attrs.num(item, "run_id"),
                Attrs.num(item, "org_id"),
                Attrs.num(item, "workflow_id"),
                (int) Attrs.num(item, "workflow_version"),
                Attrs.bool(item, "workflow_draft"),
                Attrs.num(item, "trigger_id"),
                Attrs.str(item, "trigger_type"),
                Attrs.str(item, "triggered_by"),
                Attrs.str(item, "mode"),
                Json.read(Attrs.str(item, "input")),
                Attrs.str(item, "connection_id"),
                Attrs.numOrNull(item, "case_id"),
                Attrs.time(item, "created_at"),
                RunStatus.fromWire(Attrs.str(item, "status")).orElseThrow(),
                Json.read(Attrs.str(item, "output")),
                error == null ? null : new RunError(code == null ? RunError.FAILED : code, error),
                steps(Attrs.str(item, "steps")),
                Attrs.time(item, "updated_at"),
                Attrs.time(item, "started_at"),
                Attrs.time(item, "completed_at"),
                (int) Attrs.num(item, "attempts"),
                Attrs.str(item, "lease_owner"),
                lease == null ? null : Instant.ofEpochMilli(lease),
                wake == null ? null : Instant.ofEpochMilli(wake),
                Attrs.numOrNull(item, "replay_of"),
                (int) Attrs.num(item, "retries"),
                signals(item),
                Attrs.time(item, "fire_time"),
                Attrs.decimalOrNull(item, "cost_cents"));
    }

    static String steps(List<StepRecord> steps) {
        ArrayNode array = Json.array();
        for (StepRecord s : steps) {
            ObjectNode node = array.addObject();
            node.put("id", s.id());
            node.put("type", s.type());
            node.put("status", s.status());
            node.set("input", s.input());
            node.set("output", s.output());
            node.put("error", s.error());
            node.put("started_at", s.startedAt() == null ? null : s.startedAt().toString());
            node.put("completed_at", s.completedAt() == null ? null : s.completedAt().toString());
            if (s.attempts() != 1) {
                node.put("attempts", s.attempts());
            }
            if (s.outboundRequests() != 0) {
                node.put("outbound_requests", s.outboundRequests());
            }
        }
        return Json.write(array);
    }

    static List<StepRecord> steps(String text) {
        List<StepRecord> records = new ArrayList<>();
        JsonNode array = Json.read(text);
        if (array == null) {
            return records;
        }
        for (JsonNode n : array) {
            records.add(new StepRecord(n.path("id").asText(), n.path("type").asText(), n.path("status").asText(),
                    nullable(n.get("input")), nullable(n.get("output")), textOrNull(n.get("error")),
                    instantOrNull(n.get("started_at")), instantOrNull(n.get("completed_at")),
                    n.path("attempts").asInt(1), n.path("outbound_requests").asInt(0)));
        }
        return records;
    }

    private static JsonNode nullable(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static Instant instantOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : Instant.parse(node.asText());
    }

    static Map<String, AttributeValue> values(Object... pairs) {
        Map<String, AttributeValue> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (AttributeValue) pairs[i + 1]);
        }
        return map;
    }
}
