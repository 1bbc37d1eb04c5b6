package dev.kickoff.reliability;

/** Fixtures with made-up IDs, for generating requests without a stack. */
final class FixturesForTests {
    private FixturesForTests() {
    }

    static Fixtures of(Stack.Org org) {
        Fixtures f = Fixtures.offline(org);
        long id = 247_000_000_000_100L;
        for (Fixtures.Kind k : Fixtures.Kind.values()) {
            if (k == Fixtures.Kind.WORKSPACE) {
                continue;  // the organization itself
            }
            f.ids.put(k, switch (k) {
                case DELIVERY -> "msg_0123456789abcdef0123456789abcdef";
                case CONNECTION -> "conn_0123456789abcdefghijklmn";
                case ASSET_VERSION -> "0123456789abcdef";
                case ASSET_NAME -> "app.js";
                default -> Long.toString(id++);
            });
        }
        return f;
    }
}
