package dev.kickoff.api.canonical;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.error.FieldError;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.RunStore;
import dev.kickoff.core.run.Run;
import dev.kickoff.core.run.RunService;
import dev.kickoff.core.run.RunStatus;
import io.micronaut.http.HttpRequest;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The runs list's query ({@code ?status=&limit=&cursor=}) and answer ({@code {"workflow_runs": […], "next_cursor"}}),
 * the same on the runs API and the management API.
 */
public final class RunPages {
    private RunPages() {
    }

    /** One of seed 000's statuses, or null for all; anything else (several included) is a 400. */
    public static RunStatus status(HttpRequest<?> request) {
        List<String> given = request.getParameters().getAll("status");
        if (given.isEmpty()) {
            return null;
        }
        String names = String.join(", ", Arrays.stream(RunStatus.values()).map(RunStatus::wireName).toList());
        if (given.size() > 1) {
            throw new KickoffException(Reason.INVALID_REQUEST, "give one status per request (?status=failed); one of: "
                    + names);
        }
        return RunStatus.fromWire(given.getFirst()).orElseThrow(() -> new KickoffException(Reason.INVALID_REQUEST,
                "status must be one of: " + names, List.of(new FieldError("/status", "must be one of: " + names))));
    }

    /** 1 to {@link RunService#MAX_PAGE}, {@link RunService#DEFAULT_PAGE} if absent; anything else is a 400. */
    public static int limit(String limit) {
        if (limit == null) {
            return RunService.DEFAULT_PAGE;
        }
        try {
            int value = Integer.parseInt(limit.strip());
            if (value >= 1 && value <= RunService.MAX_PAGE) {
                return value;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new KickoffException(Reason.INVALID_REQUEST, "limit must be a number from 1 to " + RunService.MAX_PAGE);
    }

    public static ObjectNode page(RunStore.RunPage page, Function<Run, ObjectNode> render) {
        ObjectNode out = Json.object();
        ArrayNode runs = out.putArray("workflow_runs");
        page.runs().forEach(r -> runs.add(render.apply(r)));
        out.put("next_cursor", page.nextCursor());
        return out;
    }
}
