package dev.kickoff.adapters.aws;

import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.port.RunStore.RunPage;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunStatus;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * A workflow's runs, newest first, from the runs list ({@code gsi4}, keys only, {@link RunItems#LIST_SHARDS} shards):
 * one query per shard, issued together, merged by sort key (creation time, then ID: the same order in every shard), and
 * the page's run items read with one BatchGetItem (eventually consistent: a list may lag a run by a moment; the run's
 * own GET is consistent). Never a scan. A status filter reads at most {@link #MAX_EXAMINED} entries a page, so a page
 * of a rare status may be short, or empty, with a cursor to go on.
 *
 * <p>The cursor is the sort key of the last entry the page looked at, which is the same in every shard, so the next
 * page is the same queries with {@code gsi4sk < cursor}: no state is kept between pages.
 */
final class RunList {
    /** Index entries a filtered page looks at, at most (BatchGetItem reads 100 items a call). */
    static final int MAX_EXAMINED = 200;
    private static final Pattern SORT_KEY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z#\\d{16}");
    private static final String CURSOR_PREFIX = "r1:";

    private final DynamoTable table;

    RunList(DynamoTable table) {
        this.table = table;
    }

    /** One shard's entries, newest first, read a query page at a time as the merge needs them. */
    private final class Shard {
        final String partition;
        final String before;
        final Deque<Map<String, AttributeValue>> buffer = new ArrayDeque<>();
        Map<String, AttributeValue> next;
        boolean done;

        Shard(String partition, String before) {
            this.partition = partition;
            this.before = before;
        }

        void fetch(int limit) {
            Map<String, AttributeValue> values = new HashMap<>(Map.of(":pk", Attrs.s(partition)));
            String condition = "gsi4pk = :pk";
            if (before != null) {
                condition += " AND gsi4sk < :before";
                values.put(":before", Attrs.s(before));
            }
            QueryResponse response = table.client().query(QueryRequest.builder().tableName(table.name())
                    .indexName(RunItems.LIST_INDEX)
                    .keyConditionExpression(condition)
                    .expressionAttributeValues(values)
                    .scanIndexForward(false)
                    .limit(limit)
                    .exclusiveStartKey(next)
                    .build());
            buffer.addAll(response.items());
            next = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
            done = next == null;
        }

        /** The newest entry not taken yet, reading on if needed; null when the shard has no more. */
        Map<String, AttributeValue> head(int limit) {
            while (buffer.isEmpty() && !done) {
                fetch(limit);
            }
            return buffer.peekFirst();
        }
    }

    RunPage list(long orgId, long workflowId, RunStatus status, int limit, String cursor) {
        String before = decode(cursor);
        int perQuery = status == null ? limit : Math.min(MAX_EXAMINED, limit * 2);
        List<Shard> shards = new ArrayList<>();
        for (int s = 0; s < RunItems.LIST_SHARDS; s++) {
            shards.add(new Shard(RunItems.listPartition(orgId, workflowId, s), before));
        }
        fetchAll(shards, perQuery);

        List<Run> page = new ArrayList<>();
        String last = null;
        int examined = 0;
        boolean leftOver = false;
        int budget = status == null ? limit : MAX_EXAMINED;
        while (page.size() < limit && examined < budget) {
            // The next candidates, newest first across the shards: as many as the page may still need.
            List<Map<String, AttributeValue>> candidates = new ArrayList<>();
            int want = status == null ? limit - page.size() : Math.min(100, budget - examined);
            while (candidates.size() < want) {
                Shard newest = null;
                String newestKey = null;
                for (Shard shard : shards) {
                    Map<String, AttributeValue> head = shard.head(perQuery);
                    if (head != null && (newestKey == null || head.get("gsi4sk").s().compareTo(newestKey) > 0)) {
                        newest = shard;
                        newestKey = head.get("gsi4sk").s();
                    }
                }
                if (newest == null) {
                    break;
                }
                candidates.add(newest.buffer.pollFirst());
            }
            if (candidates.isEmpty()) {
                break;
            }
            Map<String, Run> runs = read(candidates);
            for (int i = 0; i < candidates.size(); i++) {
                Map<String, AttributeValue> entry = candidates.get(i);
                examined++;
                last = entry.get("gsi4sk").s();
                Run run = runs.get(entry.get("pk").s());
                // A run is never deleted; an entry without its item (or of another organization) is skipped, not shown.
                if (run != null && run.orgId() == orgId && run.workflowId() == workflowId
                        && (status == null || run.status() == status)) {
                    page.add(run);
                    if (page.size() == limit) {
                        leftOver = i + 1 < candidates.size();
                        break;
                    }
                }
            }
        }
        boolean more = leftOver;
        for (Shard shard : shards) {
            more |= !shard.buffer.isEmpty() || !shard.done;
        }
        // A cursor only where something may follow: the last entry looked at, older ones next time.
        return new RunPage(page, more && last != null ? encode(last) : null);
    }

    private void fetchAll(List<Shard> shards, int limit) {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (Shard shard : shards) {
                futures.add(pool.submit(() -> shard.fetch(limit)));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KickoffException(Reason.UNAVAILABLE, "interrupted; retry the request");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** The run items of these entries, by {@code pk}, in one BatchGetItem (and its unprocessed keys, if any). */
    private Map<String, Run> read(List<Map<String, AttributeValue>> entries) {
        Map<String, Run> runs = new HashMap<>();
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (Map<String, AttributeValue> e : entries) {
            keys.add(Map.of("pk", e.get("pk"), "sk", e.get("sk")));
        }
        Map<String, KeysAndAttributes> request = Map.of(table.name(), KeysAndAttributes.builder().keys(keys).build());
        for (int round = 0; !request.isEmpty() && round < 5; round++) {
            final Map<String, KeysAndAttributes> asked = request;
            BatchGetItemResponse response = table.client().batchGetItem(b -> b.requestItems(asked));
            for (Map<String, AttributeValue> item : response.responses().getOrDefault(table.name(), List.of())) {
                runs.put(item.get("pk").s(), RunItems.fromItem(item));
            }
            request = response.hasUnprocessedKeys() ? response.unprocessedKeys() : Map.of();
        }
        return runs;
    }

    static String encode(String sortKey) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + sortKey).getBytes(StandardCharsets.UTF_8));
    }

    /** A cursor this class made, or a 400: it goes into a key condition, so it is checked to be a sort key. */
    static String decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String text = cursor.length() > 100 ? "" : new String(Base64.getUrlDecoder().decode(cursor),
                    StandardCharsets.UTF_8);
            if (text.startsWith(CURSOR_PREFIX) && SORT_KEY.matcher(text.substring(CURSOR_PREFIX.length())).matches()) {
                return text.substring(CURSOR_PREFIX.length());
            }
        } catch (IllegalArgumentException e) {
            // not base64: refused below
        }
        throw new KickoffException(Reason.INVALID_REQUEST, "invalid cursor");
    }
}
