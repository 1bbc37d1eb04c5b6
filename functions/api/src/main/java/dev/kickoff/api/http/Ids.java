package dev.kickoff.api.http;

import dev.kickoff.core.id.IdGenerator;

/** Path IDs: anything that is not a positive safe integer names nothing, so it is "not found", never a 400. */
public final class Ids {
    private Ids() {
    }

    public static long parse(String text) {
        return IdGenerator.parse(text);
    }
}
