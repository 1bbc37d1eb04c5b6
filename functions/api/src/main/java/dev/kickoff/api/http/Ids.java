package dev.kickoff.api.http;

import dev.kickoff.core.id.IdGenerator;

/** Path IDs: anything that is not a positive safe integer names nothing, so it is "not found", never a 400. */
public final class Ids {
    private Ids() {
    }

    public static long parse(String text) {
        return IdGenerator.parse(text);
    }

    /** An ID written with the shape's prefix ({@code wf_123}, {@code run_456}) or bare ({@code 123}). */
    public static long parse(String text, String prefix) {
        if (text != null && text.startsWith(prefix)) {
            text = text.substring(prefix.length());
        }
        return IdGenerator.parse(text);
    }

    /** A JSON Pointer as its unescaped segments: {@code /items/0/a~1b} is {@code ["items", "0", "a/b"]}. */
    public static java.util.List<String> segments(String pointer) {
        java.util.List<String> out = new java.util.ArrayList<>();
        if (pointer == null || pointer.isEmpty()) {
            return out;
        }
        for (String raw : pointer.substring(1).split("/", -1)) {
            out.add(raw.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }
}
