package dev.kickoff.bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs Micronaut AOT's optimizer (its CLI, on this classpath) over the API function's jar, as the Micronaut Maven
 * plugin's {@code aot-analysis} goal would, and returns the directory of generated classes to put in front of the
 * jar: static service loading, a precomputed environment and property sources, known missing types. A measured
 * variant, not what ships (see docs/benchmarks-method.md).
 */
final class MicronautAot {
    private MicronautAot() {
    }

    static Path generate(Path apiJar, Path work, Path log) throws IOException, InterruptedException {
        Path out = work.resolve("micronaut-aot");
        deleteTree(out);
        Path config = work.resolve("micronaut-aot.properties");
        try (InputStream in = MicronautAot.class.getResourceAsStream("/micronaut-aot.properties")) {
            Files.copy(in, config, StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> tools = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.contains("/io/micronaut/aot/") || entry.contains("/picocli/") || entry.contains("/javapoet/")) {
                tools.add(entry);
            }
        }
        String toolPath = String.join(File.pathSeparator, tools);
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", toolPath, "io.micronaut.aot.cli.Main", "--config", config.toString(),
                "-cp", toolPath + File.pathSeparator + apiJar, "-p", "dev.kickoff.api.aot", "--runtime", "jit",
                "-o", out.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (process.waitFor() != 0 || !Files.exists(out.resolve("classes/META-INF/services"))) {
            throw new IllegalStateException("Micronaut AOT failed; see " + log);
        }
        return out.resolve("classes");
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
