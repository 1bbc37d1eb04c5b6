package dev.kickoff.api;

import dev.kickoff.emulators.testing.LambdaHttp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's files as the API function serves them at /app: the redirect, the shell and its assets, their
 * caching and security headers, and what the files themselves may not do (inline script, markup from strings,
 * storage that outlives the tab). Every answer is also checked against docs/openapi.yaml by {@link ApiStack}.
 * The pages themselves run in a real browser in infra/browser-tests.
 */
class DashboardApiTest {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    static final Path SOURCES = Path.of("src/main/resources/dashboard");
    static ApiStack stack;

    @BeforeAll
    static void setUp() {
        stack = ApiStack.start("dashboard");
    }

    private static void assertSecured(LambdaHttp.Response r) {
        assertThat(r.header("Content-Security-Policy")).as(r.toString()).isEqualTo(CSP);
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
    }

    private static LambdaHttp.Response get(String path, String... headers) {
        return stack.http.send("GET", path, (byte[]) null, headers);
    }

    @Test
    void appWithoutTheSlashRedirectsToTheShell() {
        var redirect = get("/app");
        assertThat(redirect.status()).isEqualTo(301);
        assertThat(redirect.header("Location")).isEqualTo("app/");
        assertThat(java.net.URI.create("https://api.kickoff.test/app").resolve(redirect.header("Location")).getPath())
                .isEqualTo("/app/");
        assertSecured(redirect);
    }

    @Test
    void theShellIsRevalidatedOnEveryLoadUnderAStrictPolicyWithoutInlineScriptOrStyle() {
        var shell = get("/app/");
        assertThat(shell.status()).isEqualTo(200);
        assertThat(shell.header("Content-Type")).startsWith("text/html");
        assertThat(shell.header("Cache-Control")).isEqualTo("no-cache");
        assertSecured(shell);
        String html = shell.body();
        assertThat(html).startsWith("<!doctype html>").doesNotContain("{{");
        Matcher scripts = Pattern.compile("<script\\b([^>]*)>(.*?)</script>", Pattern.DOTALL).matcher(html);
        int count = 0;
        while (scripts.find()) {
            count++;
            assertThat(scripts.group(1)).as("every script is a file").contains("src=");
            assertThat(scripts.group(2)).as("and has no body").isBlank();
        }
        assertThat(count).isEqualTo(1);
        assertThat(html).doesNotContainPattern("(?i)\\son[a-z]+=").doesNotContainPattern("(?i)\\sstyle=")
                .doesNotContainIgnoringCase("<style");

        var again = get("/app/", "If-None-Match", shell.header("ETag"));
        assertThat(again.status()).as("the same shell, by its ETag").isEqualTo(304);
        assertThat(again.body()).isNullOrEmpty();
    }

    @Test
    void assetsAreServedUnderTheirVersionAsImmutableAndEveryViewModuleIsListed() throws IOException {
        String html = get("/app/").body();
        List<String> linked = new ArrayList<>();
        Matcher refs = Pattern.compile("(?:src|href)=\"(assets/[^\"]+)\"").matcher(html);
        while (refs.find()) {
            linked.add(refs.group(1));
        }
        assertThat(linked).hasSize(2).allMatch(l -> l.matches("assets/[0-9a-f]{16}/[a-z0-9.-]+"));
        String base = linked.getFirst().substring(0, linked.getFirst().lastIndexOf('/') + 1);

        Matcher views = Pattern.compile("<meta name=\"kickoff-views\" content=\"([^\"]*)\">").matcher(html);
        assertThat(views.find()).isTrue();
        List<String> listed = List.of(views.group(1).split(" "));
        List<String> viewFiles;
        try (Stream<Path> files = Files.list(SOURCES)) {
            viewFiles = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("view-")).sorted().toList();
        }
        assertThat(listed).as("the view modules, found by the server").containsExactlyElementsOf(viewFiles)
                .contains("view-workflows.js", "view-runs.js", "view-tokens.js", "view-webhooks.js", "view-connections.js",
                        "view-schedules.js", "view-usage.js");

        List<String> all;
        try (Stream<Path> files = Files.list(SOURCES)) {
            all = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".js") || n.endsWith(".css")).toList();
        }
        for (String name : all) {
            var asset = get("/app/" + base + name);
            assertThat(asset.status()).as(name).isEqualTo(200);
            assertThat(asset.header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
            assertThat(asset.header("Content-Type")).startsWith(name.endsWith(".js") ? "text/javascript" : "text/css");
            assertSecured(asset);
            assertThat(asset.body()).isEqualTo(Files.readString(SOURCES.resolve(name)));
        }
    }

    @Test
    void anotherVersionOrAnUnknownFileIsA404InTheApisWords() {
        String html = get("/app/").body();
        Matcher m = Pattern.compile("assets/([0-9a-f]{16})/main\\.js").matcher(html);
        assertThat(m.find()).isTrue();
        String version = m.group(1);
        String other = version.replace(version.charAt(0), version.charAt(0) == '0' ? '1' : '0');

        var stale = get("/app/assets/" + other + "/main.js");
        assertThat(stale.status()).isEqualTo(404);
        assertThat(stale.json().get("code").asText()).isEqualTo("not_found");
        assertThat(get("/app/assets/" + version + "/nope.js").status()).isEqualTo(404);
        assertThat(get("/app/assets/" + version + "/index.html").status()).as("the shell is not an asset").isEqualTo(404);
        assertThat(get("/app/assets/" + version + "/..%2Fapp.css").status()).isEqualTo(404);
    }

    /**
     * What the policy would block anyway, kept out of the sources so nothing depends on it, plus the rules the
     * policy cannot see: no markup built from strings (API answers are text), no token in storage that outlives the
     * tab or in a URL.
     */
    @Test
    void theScriptsBuildNoMarkupFromStringsAndKeepTokensInTheTabOnly() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".js")).toList()) {
                String js = Files.readString(file);
                assertThat(js).as(file.toString())
                        .doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                                "new Function", "localStorage.", "document.cookie", "setAttribute('style'", ".style.");
            }
        }
        assertThat(Files.readString(SOURCES.resolve("session.js"))).contains("sessionStorage.setItem");
    }
}
