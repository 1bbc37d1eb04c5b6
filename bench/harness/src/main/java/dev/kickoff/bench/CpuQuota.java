package dev.kickoff.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A CPU quota for child JVMs, the way Lambda sizes CPU: in proportion to the function's memory (one full vCPU at
 * 1,769 MB). A cgroup (v1 {@code cpu} controller) per quota, with {@code cpu.cfs_quota_us} set to the share of each
 * 100 ms period; a child joins it before its JVM starts ({@link #wrap}: a shell writes its own PID into the group,
 * then execs the command), so every thread the JVM ever creates is limited from the first instruction.
 *
 * <p>Only where this process may create cgroups (root on a cgroup v1 host, as on these machines); elsewhere
 * {@link #create} answers empty and the memory phase says it was skipped.
 */
final class CpuQuota implements AutoCloseable {
    static final Path CPU_CONTROLLER = Path.of("/sys/fs/cgroup/cpu");
    static final int PERIOD_US = 100_000;

    /** Lambda's CPU per MB of memory: one vCPU at 1,769 MB (AWS Lambda documentation). */
    static final double MB_PER_VCPU = 1769;

    private final Path group;
    private final double cpus;

    private CpuQuota(Path group, double cpus) {
        this.group = group;
        this.cpus = cpus;
    }

    /** The CPU share Lambda gives a function of this size, capped at what this machine has. */
    static double cpusFor(int memoryMb) {
        return Math.min(memoryMb / MB_PER_VCPU, Runtime.getRuntime().availableProcessors());
    }

    /** A group limited to {@code cpus} processors, or empty where cgroups cannot be made here. */
    static Optional<CpuQuota> create(String name, double cpus) {
        if (!Files.isDirectory(CPU_CONTROLLER) || !Files.isWritable(CPU_CONTROLLER)) {
            return Optional.empty();
        }
        Path group = CPU_CONTROLLER.resolve("kickoff-bench-" + name);
        try {
            Files.createDirectories(group);
            Files.writeString(group.resolve("cpu.cfs_period_us"), Integer.toString(PERIOD_US));
            Files.writeString(group.resolve("cpu.cfs_quota_us"), Long.toString(Math.round(cpus * PERIOD_US)));
            return Optional.of(new CpuQuota(group, cpus));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    double cpus() {
        return cpus;
    }

    /** The command, started inside this group. */
    List<String> wrap(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c",
                "echo $$ > " + group.resolve("cgroup.procs") + " && exec \"$@\"", "kickoff-bench-quota"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** How much of the quota's periods were throttled so far (the group's {@code cpu.stat}). */
    String throttling() {
        try {
            return Files.readString(group.resolve("cpu.stat")).replace('\n', ' ').strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(group);  // rmdir; fails (kept) while a process is still in it
        } catch (IOException e) {
            System.err.println(String.format(Locale.ROOT, "cgroup %s (%.2f CPUs) not removed: %s", group, cpus, e));
        }
    }
}
