package dev.kickoff.api.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** Picks the error shape for a request path: the longest registered prefix wins, the canonical shape otherwise. */
public final class ErrorShapes {
    private static final ErrorShape CANONICAL = new CanonicalErrorShape();
    private static final Map<String, ErrorShape> BY_PREFIX = new LinkedHashMap<>();

    private ErrorShapes() {
    }

    public static synchronized void register(String pathPrefix, ErrorShape shape) {
        BY_PREFIX.put(pathPrefix, shape);
    }

    public static synchronized ErrorShape forPath(String path) {
        ErrorShape best = CANONICAL;
        int bestLength = -1;
        for (var e : BY_PREFIX.entrySet()) {
            if (path.startsWith(e.getKey()) && e.getKey().length() > bestLength) {
                best = e.getValue();
                bestLength = e.getKey().length();
            }
        }
        return best;
    }
}
