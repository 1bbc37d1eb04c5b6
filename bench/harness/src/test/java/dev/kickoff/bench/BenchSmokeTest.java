package dev.kickoff.bench;

import dev.kickoff.bench.cost.CostModel;
import dev.kickoff.bench.cost.Ledger;
import dev.kickoff.bench.cost.RunCost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The harness's arithmetic and report, on made-up numbers (the benchmarks themselves run with ./kickoff bench). */
class BenchSmokeTest {
    @TempDir
    Path dir;

    @Test
    void statsAreOrderStatistics() {
        Stats s = Stats.of(List.of(5.0, 1.0, 3.0, 2.0, 4.0));
        assertThat(s.median()).isEqualTo(3.0);
        assertThat(s.min()).isEqualTo(1.0);
        assertThat(s.max()).isEqualTo(5.0);
        assertThat(s.p25()).isEqualTo(2.0);
        assertThat(s.spread(0)).isEqualTo("3 (1–5)");
        assertThat(Stats.of(List.of()).n()).isZero();
    }

    @Test
    void coldStartRatiosAreAgainstTheBareHandlerOfTheSameRun() throws Exception {
        var bare = new ColdStartBench.Variant("bare", "bare baseline", List.of(), "x.BareApiHandler", List.of(), true, null);
        var api = new ColdStartBench.Variant("api", "the API", List.of(), "x.ApiHandler", List.of(), true, null);
        var sample = (java.util.function.DoubleFunction<ColdStartBench.Sample>) ms ->
                new ColdStartBench.Sample(ms, ms / 4, ms / 2, 100, 0, ms * 1.5, 4000);
        Path jar = dir.resolve("functions/api/target/kickoff-api.jar");
        Files.createDirectories(jar.getParent());
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("a.class"));
            zip.closeEntry();
        }
        Report report = new Report(dir, false);
        report.coldStart(List.of(new ColdStartBench.Result(bare, List.of(sample.apply(500), sample.apply(500))),
                new ColdStartBench.Result(api, List.of(sample.apply(1000), sample.apply(1000)))));
        Path out = dir.resolve("docs/benchmarks.md");
        report.write(out);

        String md = Files.readString(out);
        assertThat(md).contains("| the API | 1000 (1000–1000) | 2.00× |  | 250 (250–250) | 2.00× |")
                .contains("| bare baseline | 500 (500–500) | 1.00× |")
                .contains("| 100 (100–100) | 1500 (1500–1500) | 4000 |")
                .contains("Machine: ").contains("cores")
                .contains("| `functions/api/target/kickoff-api.jar` | 0.0 | 1 |");
    }

    @Test
    void theMemoryCurvePricesEachSizesWarmDurationAgainstTheTemplatesSize() throws Exception {
        var variant = new ColdStartBench.Variant("api-1024mb", "API", List.of(), "x.ApiHandler", List.of(), true, null);
        java.util.function.BiFunction<Integer, Double, MemoryCurve.Size> size = (mb, warmMs) -> new MemoryCurve.Size(mb,
                mb / 1769.0, new ColdStartBench.Result(variant, List.of(new ColdStartBench.Sample(3000.0 * 1024 / mb,
                        100, 100, 200, 0, 1800, 8000))),
                new TriggerPathBench.Result(List.of(new TriggerPathBench.ModeResult("api", 100, Stats.of(List.of(warmMs)),
                        1), new TriggerPathBench.ModeResult("floor", 100, Stats.of(List.of(4.0)), 1)), ""), "");
        Report report = new Report(dir, false);
        report.memory(new MemoryCurve.Result(List.of(size.apply(512, 15.0), size.apply(1024, 10.5)), null));
        report.memory(new MemoryCurve.Result(List.of(), "no cgroups here"));
        Path out = dir.resolve("docs/benchmarks.md");
        report.write(out);

        String md = Files.readString(out);
        // 512 MB: 15 ms x 0.5 GB x $0.0000133334 per GB-s = $0.100 per million; + AWS I/O: (15 - 4 + 12) ms -> $0.153
        assertThat(md).contains("| 512 MB | 0.29 | 6000 (6000–6000) | 2.00× | 1800 | 200 | 15.00 | 11.00 | $0.100 | $0.153 |")
                // 1024 MB: ceil(10.5) = 11 ms x 1 GB = $0.147; (6.5 + 12) -> 19 ms = $0.253
                .contains("| **1024 MB** | 0.58 | 3000 (3000–3000) | 1.00× |")
                .contains("$0.147 | $0.253 |")
                .contains("at arm64's $0.0000133334 per GB-s")
                .contains("Not measured: no cgroups here.");
    }

    @Test
    void theCostModelPricesUnitsAtTheListedPrices() {
        Ledger api = new Ledger();
        Ledger worker = new Ledger();
        var sample = new RunCost.Sample(2, 1, api, worker, List.of(10.2, 10.2), List.of(5.0, 5.0), new Ledger(),
                List.of(3.0, 3.0), 0);
        CostModel.Bill empty = CostModel.price(sample, 1.0, 1.0);
        // API Gateway $1 + 3 Lambda invocations per run (API, worker, streams: $0.60) + duration: (11 + 5 + 3) ms
        // × 1 GB per run.
        assertThat(empty.withoutObservability()).isCloseTo(1.0 + 0.60 + 0.019 * 0.0000133334 * 1e6, within(1e-9));
        assertThat(empty.lines().stream().map(CostModel.Line::item).toList())
                .contains("DynamoDB write request units", "SQS requests (send, receive, delete)");
        assertThat(empty.writeUnits()).isZero();
        assertThat(empty.lambdaInvocations()).isEqualTo(3.0);
    }
}
