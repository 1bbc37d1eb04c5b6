package dev.kickoff.api.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The dashboard's files ({@code src/main/resources/dashboard/}), read from the function's classpath once, on the
 * first request to {@code /app}, and kept: nothing of this runs during the function's init. Every asset is
 * served under {@code /app/assets/<version>/<name>}, where the version is a hash of all the files, so each URL
 * names one content forever and can be cached as immutable, and the ES modules' relative imports stay inside one
 * version. The HTML shell ({@code index.html}) is the one file with placeholders: the asset base and the list of
 * view modules ({@code view-*.js}), so a new view is one new file.
 */
final class DashboardAssets {
    static final String ROOT = "dashboard";
    static final String SHELL = "index.html";
    private static final Map<String, String> TYPES = Map.of(
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml");

    record Asset(String name, byte[] bytes, String contentType, String etag) {
    }

    private final String version;
    private final Map<String, Asset> assets;
    private final Asset shell;

    private DashboardAssets(Map<String, byte[]> files) {
        byte[] template = files.get(SHELL);
        if (template == null) {
            throw new IllegalStateException(ROOT + "/" + SHELL + " is not on the classpath");
        }
        MessageDigest all = sha256();
        List<String> views = new ArrayList<>();
        Map<String, byte[]> served = new TreeMap<>();
        files.forEach((name, bytes) -> {
            String type = TYPES.get(extension(name));
            if (type != null) {
                served.put(name, bytes);
                all.update(name.getBytes(StandardCharsets.UTF_8));
                all.update((byte) 0);
                all.update(bytes);
                all.update((byte) 0);
                if (name.startsWith("view-") && name.endsWith(".js")) {
                    views.add(name);
                }
            }
        });
        all.update(template);
        this.version = HexFormat.of().formatHex(all.digest()).substring(0, 16);
        Map<String, Asset> byName = new TreeMap<>();
        served.forEach((name, bytes) -> byName.put(name,
                new Asset(name, bytes, TYPES.get(extension(name)), etag(bytes))));
        this.assets = Map.copyOf(byName);
        String html = new String(template, StandardCharsets.UTF_8)
                .replace("{{base}}", "assets/" + version + "/")
                .replace("{{views}}", String.join(" ", views));
        byte[] rendered = html.getBytes(StandardCharsets.UTF_8);
        this.shell = new Asset(SHELL, rendered, "text/html; charset=utf-8", etag(rendered));
    }

    /** The files under {@link #ROOT} on this class's classpath, whether it is a directory (Lambda's /var/task) or a jar. */
    static DashboardAssets load() {
        URL marker = DashboardAssets.class.getClassLoader().getResource(ROOT + "/" + SHELL);
        if (marker == null) {
            throw new IllegalStateException(ROOT + "/" + SHELL + " is not on the classpath");
        }
        try {
            return new DashboardAssets(switch (marker.getProtocol()) {
                case "file" -> fromDirectory(Path.of(marker.toURI()).getParent());
                case "jar" -> fromJar(marker);
                default -> throw new IllegalStateException("cannot list " + marker);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, byte[]> fromDirectory(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.filter(Files::isRegularFile).toList()) {
                files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    private static Map<String, byte[]> fromJar(URL marker) throws IOException {
        JarURLConnection connection = (JarURLConnection) marker.openConnection();
        connection.setUseCaches(false);
        Map<String, byte[]> files = new TreeMap<>();
        try (JarFile jar = connection.getJarFile()) {
            var entries = jar.entries();
            while (entries.hasMoreElements()) {
                var entry = entries.nextElement();
                String name = entry.getName();
                if (!entry.isDirectory() && name.startsWith(ROOT + "/") && name.indexOf('/', ROOT.length() + 1) < 0) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        files.put(name.substring(ROOT.length() + 1), in.readAllBytes());
                    }
                }
            }
        }
        return files;
    }

    String version() {
        return version;
    }

    Asset shell() {
        return shell;
    }

    /** The asset of this version named {@code name}, or null (another version's URL, or no such file). */
    Asset asset(String requestedVersion, String name) {
        return version.equals(requestedVersion) ? assets.get(name) : null;
    }

    Map<String, Asset> assets() {
        return assets;
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1);
    }

    private static String etag(byte[] bytes) {
        return "\"" + HexFormat.of().formatHex(sha256().digest(bytes)).substring(0, 32) + "\"";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
