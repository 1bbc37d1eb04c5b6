package dev.kickoff.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The power-tuning method, run locally: the API function at several {@code MemorySize}s, each given the CPU share
 * Lambda gives that size ({@link CpuQuota}: memory / 1,769 MB) and a heap to match, measured cold (a fresh JVM to its
 * first 201, as the cold phase) and warm ({@link TriggerPathBench}'s {@code api} and {@code floor} modes in one
 * child). Latency and duration cost per size, so that the template's size is chosen from a curve rather than argued.
 * The emulators stay in this process, unlimited, as AWS's services are outside a function's CPU share.
 */
final class MemoryCurve {
    /** One size's figures. */
    record Size(int memoryMb, double cpus, ColdStartBench.Result cold, TriggerPathBench.Result warm,
                String throttling) {
        Stats warmMode(String mode) {
            return warm.modes().stream().filter(m -> m.mode().equals(mode)).findFirst().orElseThrow().latencyMs();
        }
    }

    /** @param skipped why nothing was measured (no cgroups here), or null */
    record Result(List<Size> sizes, String skipped) {
    }

    private MemoryCurve() {
    }

    static Result run(Path root, Path work, boolean quick, List<String> functionFlags) throws Exception {
        List<Integer> sizes = List.of(System.getProperty("bench.memory.sizes", "512,1024,1769,2048").split(","))
                .stream().map(String::strip).map(Integer::valueOf).toList();
        int rounds = quick ? 1 : Integer.getInteger("bench.memory.rounds", 5);
        int calls = quick ? 200 : Integer.getInteger("bench.memory.calls", 500);
        List<Size> results = new ArrayList<>();
        for (int memory : sizes) {
            Optional<CpuQuota> created = CpuQuota.create("m" + memory, CpuQuota.cpusFor(memory));
            if (created.isEmpty()) {
                return new Result(List.of(), "this process cannot create a cgroup under " + CpuQuota.CPU_CONTROLLER
                        + " (needs root on a cgroup v1 host), so no CPU share could be set");
            }
            try (CpuQuota quota = created.get()) {
                List<String> heap = List.of("-Xmx" + (memory * 85 / 100) + "m");
                System.out.printf("memory: %d MB (%.2f vCPU): cold x%d, warm %d calls per mode ...%n", memory,
                        quota.cpus(), rounds, calls);
                ColdStartBench.Result cold;
                try (BenchMain.Emulators emulators = BenchMain.Emulators.start()) {
                    BenchStack stack = BenchStack.provision(emulators.endpoints(), "bench-memory-" + memory);
                    long workflow = stack.publish(BenchStack.ONE_STEP);
                    Map<String, String> environment = new HashMap<>(BenchMain.childEnvironment(stack));
                    environment.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(memory));
                    ColdStartBench bench = new ColdStartBench(environment, workflow, stack.apiToken,
                            work.resolve("memory-cold.log")).under(quota);
                    cold = bench.run(List.of(ColdStartBench.deployedApi(root, "api-" + memory + "mb",
                            "API function at " + memory + " MB", heap)), rounds).getFirst();
                }
                Path result = work.resolve("memory-warm-" + memory + ".json");
                List<String> flags = new ArrayList<>(functionFlags);
                flags.addAll(heap);
                try (BenchMain.Emulators emulators = BenchMain.Emulators.start()) {
                    BenchMain.child(TriggerPathBench.class, flags, List.of(emulators.dynamoUrl(), emulators.sqsUrl(),
                                    result.toString(), Integer.toString(calls), "api,floor"),
                            work.resolve("memory-warm-" + memory + ".log"),
                            System.getProperty("log4j2.configurationFile", "kickoff-bench-log4j2.xml"), Map.of(),
                            quota);
                }
                results.add(new Size(memory, quota.cpus(), cold, BenchMain.JSON.readValue(result.toFile(),
                        TriggerPathBench.Result.class), quota.throttling()));
            }
        }
        return new Result(results, null);
    }
}
