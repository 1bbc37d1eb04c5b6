package dev.kickoff.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Correctness figures gate, performance figures never do; the report says which is which. */
class ReportTest {
    @Test
    void aNonZeroCorrectnessFigureFailsTheRunAMeasureNever(@TempDir Path dir) throws Exception {
        Options options = Options.parse(new String[]{"--quick", "--seed", "7"}, dir);
        Report report = new Report(options);
        report.measure("load", "sustained rate", "3.0", null);
        assertThat(report.passed()).isTrue();
        report.zero("fuzz", "5xx answers", 2, List.of("#1 POST /x -> 500", "#2 GET /y -> 502"));
        assertThat(report.passed()).isFalse();
        Path out = dir.resolve("r.md");
        report.write(out);
        String md = Files.readString(out);
        assertThat(md).contains("./kickoff reliability --quick --seed 7").contains("| fuzz | 5xx answers | 2 | **FAIL**")
                .contains("| load | sustained rate | 3.0 | – |").contains("Machine: ");
        assertThat(Files.readString(Report.failuresFile(out))).contains("#2 GET /y -> 502");
    }

    @Test
    void optionsPickTheReportsPlaceAndRefuseUnknownPhases(@TempDir Path dir) {
        assertThat(Options.parse(new String[]{}, dir).out()).isEqualTo(dir.resolve("docs/reliability.md").toAbsolutePath());
        assertThat(Options.parse(new String[]{"--quick"}, dir).out().toString()).endsWith("infra/reliability/target/reliability.md");
        assertThat(Options.parse(new String[]{"--only", "fuzz,crash"}, dir).command()).endsWith("--only crash,fuzz");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Options.parse(new String[]{"--only", "nope"}, dir))
                .hasMessageContaining("unknown phase 'nope'");
    }

    @Test
    void percentilesAreNearestRank() {
        Stats s = new Stats(List.of(5.0, 1.0, 3.0, 2.0, 4.0));
        assertThat(s.median()).isEqualTo(3.0);
        assertThat(s.percentile(99)).isEqualTo(5.0);
        assertThat(s.min()).isEqualTo(1.0);
        assertThat(new Stats(List.of()).median()).isNaN();
    }
}
