package dev.kickoff.reliability;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The fuzzer's generation: the same seed gives the same requests; every operation gets its share; bad bytes are bad. */
class FuzzCasesTest {
    static final Contract CONTRACT;

    static {
        try {
            CONTRACT = Contract.load(Path.of("../.."));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static Fixtures fixtures() {
        return FixturesForTests.of(new Stack.Org(247_000_000_000_001L, "mgt_" + "m".repeat(32), "api_" + "a".repeat(32)));
    }

    static List<FuzzCases.Case> generate(long seed, int n) {
        return new FuzzCases(Routes.classify(CONTRACT, "http://127.0.0.1:1/h"), fixtures(), seed).generate(n);
    }

    @Property(tries = 5)
    void aSeedReplaysTheSameRequests(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        List<FuzzCases.Case> a = generate(seed, 120);
        List<FuzzCases.Case> b = generate(seed, 120);
        for (int i = 0; i < a.size(); i++) {
            assertThat(Arrays.equals(a.get(i).request().bytes(), b.get(i).request().bytes())).as("case " + i).isTrue();
            assertThat(a.get(i).mutations()).isEqualTo(b.get(i).mutations());
        }
    }

    @Property(tries = 3)
    void everyOperationIsFuzzedInTurn(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        int operations = CONTRACT.operations().size();
        List<FuzzCases.Case> cases = generate(seed, operations * 3);
        for (Contract.Operation op : CONTRACT.operations()) {
            assertThat(cases.stream().filter(c -> c.operation().equals(op.key())).count()).as(op.key()).isGreaterThanOrEqualTo(1);
        }
    }

    @Property(tries = 3)
    void utf8CasesCarryBytesNoDecoderAccepts(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        int raw = 0;
        for (FuzzCases.Case c : generate(seed, 400)) {
            byte[] body = c.request().body();
            boolean nonAscii = body != null && new String(body, StandardCharsets.ISO_8859_1).chars().anyMatch(ch -> ch >= 0x80);
            if (c.mutations().equals(List.of("utf8")) && nonAscii) {
                raw++;
                boolean invalid;
                try {
                    StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(body));
                    invalid = false;
                } catch (CharacterCodingException e) {
                    invalid = true;
                }
                assertThat(invalid).as(c.request().describe()).isTrue();
            }
        }
        assertThat(raw).as("raw invalid bytes among 400 cases").isPositive();
    }

    @Property(tries = 1)
    void theSlotPutsABadValueInsideAValidBody(@ForAll @LongRange(min = 0, max = 10) long seed) {
        FuzzCases f = new FuzzCases(Routes.classify(CONTRACT, "http://127.0.0.1:1/h"), fixtures(), seed);
        byte[] body = f.slot("{\"input\": {\"a\": 1}}".getBytes(StandardCharsets.UTF_8), "1e99999".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(body, StandardCharsets.UTF_8)).isIn("{\"input\":1e99999}", "{\"input\":{\"a\":1e99999}}");
    }

    @Property(tries = 1)
    void aValueIsSlottedIntoABodyAnotherMutationMadeDeep(@ForAll @LongRange(min = 0, max = 10) long seed) {
        FuzzCases f = new FuzzCases(Routes.classify(CONTRACT, "http://127.0.0.1:1/h"), fixtures(), seed);
        byte[] deep = ("{\"input\":" + "[".repeat(100_000) + "1" + "]".repeat(100_000) + "}").getBytes(StandardCharsets.UTF_8);
        assertThat(FuzzCases.nesting(deep)).isEqualTo(100_001);
        assertThat(FuzzCases.nesting("{\"a\":\"[[[\\\"[\"}".getBytes(StandardCharsets.UTF_8))).isEqualTo(1);
        assertThat(new String(f.slot(deep, "\"\\ud800\"".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
                .isEqualTo("\"\\ud800\"");
    }
}
