package dev.kickoff.api.http;

import dev.kickoff.core.port.TriggerReads;
import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets the execute-limit filter read a trigger's workflow head with its token (one round trip, see
 * {@link dev.kickoff.core.run.TriggerAdmission}) before the shape's controller has parsed the workflow ID: each
 * shape spells IDs its own way, so the instance remembers which workflow a trigger path named once it was parsed
 * (a path always parses to the same ID). The head read is handed to the run's start on the request.
 */
@Singleton
public final class TriggerHeads {
    static final String ATTRIBUTE = "kickoff.trigger.head";
    private static final int MAX_PATHS = 10_000;
    private final Map<String, Long> workflowIds = new ConcurrentHashMap<>();

    /** The workflow a trigger path named before, or 0 when this instance has not parsed it yet. */
    long workflowId(HttpRequest<?> request) {
        return workflowIds.getOrDefault(request.getPath(), 0L);
    }

    void parsed(HttpRequest<?> request, long workflowId) {
        if (workflowId > 0) {
            if (workflowIds.size() > MAX_PATHS) {
                workflowIds.clear();
            }
            workflowIds.put(request.getPath(), workflowId);
        }
    }

    static void attach(HttpRequest<?> request, TriggerReads.Head head) {
        if (head != null) {
            request.setAttribute(ATTRIBUTE, head);
        }
    }

    static TriggerReads.Head read(HttpRequest<?> request) {
        Optional<TriggerReads.Head> head = request.getAttribute(ATTRIBUTE, TriggerReads.Head.class);
        return head.orElse(null);
    }
}
