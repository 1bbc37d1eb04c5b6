package dev.kickoff.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The new-paths phase's parsing, arithmetic and section, on made-up numbers (the phase runs with ./kickoff bench). */
class PathsBenchTest {
    @TempDir
    Path dir;

    @Test
    void p90InterpolatesBetweenClosestRanks() {
        Stats s = Stats.of(IntStream.rangeClosed(1, 11).asDoubleStream().boxed().toList());  // 1..11: p90 at rank 9 (0-based)
        assertThat(s.p90()).isEqualTo(10.0);
        assertThat(Stats.of(List.of(0.0, 100.0)).p90()).isEqualTo(90.0);
        assertThat(Stats.of(List.of()).p90()).isNaN();
    }

    @Test
    void delaysAreAList() {
        assertThat(PathsBench.delays("PT2S, PT2.5S,")).containsExactly("PT2S", "PT2.5S");
    }

    @Test
    void pollIntervalsAreWholeMillisecondsOfAtLeastOne() {
        assertThat(PathsBench.parseIntervals("1,100")).containsExactly(1, 100);
        assertThat(PathsBench.parseIntervals(" 25 ,")).containsExactly(25);
        assertThatThrownBy(() -> PathsBench.parseIntervals("0,100")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PathsBench.parseIntervals(",")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void latenessIsMeasuredFromTheDueTimeTheStepComputed() throws Exception {
        var step = new ObjectMapper().readTree("""
                {"id": "wait", "type": "delay", "status": "completed", "started_at": "2026-12-02T10:00:00.000Z",
                 "completed_at": "2026-12-02T10:00:02.350Z", "output": {"waited_until": "2026-12-02T10:00:02Z"}}""");
        double[] lateness = PathsBench.lateness(step, "2026-12-02T10:00:02.362Z");
        assertThat(lateness).containsExactly(350.0, 362.0);
        var unfinished = new ObjectMapper().readTree("{\"id\": \"wait\", \"status\": \"suspended\"}");
        assertThatThrownBy(() -> PathsBench.lateness(unfinished, "2026-12-02T10:00:02Z"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theSectionGivesEveryNewPathAgainstItsSameRunBaseline() throws Exception {
        Stats ten = Stats.of(List.of(10.0, 10.0));
        Stats twenty = Stats.of(List.of(20.0, 20.0));
        Stats forty = Stats.of(List.of(40.0, 40.0));
        var result = new PathsBench.Result(20, 2,
                new PathsBench.Signals(2, twenty, Stats.of(List.of(5.0, 5.0)), ten, 0),
                List.of(new PathsBench.Delays(2, "PT2S", Stats.of(List.of(30.0, 30.0)), Stats.of(List.of(40.0, 40.0)), 0),
                        new PathsBench.Delays(2, "PT2.5S", Stats.of(List.of(500.0, 500.0)), Stats.of(List.of(510.0, 510.0)),
                                1)),
                new PathsBench.Waits(2, 5, List.of(
                        new PathsBench.WaitMode("post-only", PathsBench.POST_ONLY, 2, ten, 1, 1.5, 1.5, 6,
                                Map.of("GetItem", 1.5), 0),
                        new PathsBench.WaitMode("prefer-wait", 0, 2, forty, 1, 3, 3, 8, Map.of("GetItem", 3.0), 0),
                        new PathsBench.WaitMode("poll", 1, 2, twenty, 21, 21, 21, 26, Map.of("GetItem", 21.0), 0),
                        new PathsBench.WaitMode("poll", 100, 2, Stats.of(List.of(110.0, 110.0)), 2, 2, 2, 7,
                                Map.of("GetItem", 2.0), 0))));
        Report report = new Report(dir, true);
        report.paths(result);
        Path out = dir.resolve("benchmarks.md");
        report.write(out);

        String md = Files.readString(out);
        assertThat(md).contains("## 6. New paths")
                .contains("| signal → completed | 20.0 | 20.0 | 20.0 | 2.00× |")
                .contains("| `PT2S`: run completed − due | 40.0 | 40.0 | 40.0 | 40.0 | 40.0 | 4.00× |")
                .contains("| `PT2.5S`: delay step completed − due | 500.0 | 500.0 | 500.0 | 500.0 | 500.0 | 50.00× |")
                .contains("51.00× (**1 runs did not complete**)")
                .contains("| POST only (floor; its 201, not a terminal answer) | 10.0 | 10.0 | 10.0 | 1.00 | 1.50 | +0.00 |")
                .contains("| `Prefer: wait=5` | 40.0 | 40.0 | 40.0 | 1.00 | 3.00 | +1.50 | 3.00 | 8.00 |")
                .contains("against GET every 1 ms: caller p50 **2.00×**, DynamoDB reads (whole stack) **0.14×**, "
                        + "reads beyond the floor +1.50 against +19.50 per run")
                .contains("against GET every 100 ms: caller p50 **0.36×**, DynamoDB reads (whole stack) **1.50×**, "
                        + "reads beyond the floor +1.50 against +0.50 per run");
    }
}
