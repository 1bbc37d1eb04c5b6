package dev.kickoff.reliability;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Secrets never in logs: every token and secret the suite made or sent (API and manage tokens, revoked ones, tokens
 * that never existed, webhook signing secrets and their keys, the local invocation secret, connection secrets once
 * they can be made) is looked for in everything every stack process wrote to stdout and stderr, in every lifetime,
 * kills included. The only place one may appear is the first-start banner, which shows the first organization's two
 * tokens once. And token comparison in constant time, shown in the code ({@link SecretComparisons}).
 */
final class LeakPhase {
    static final String PHASE = "leaks";
    static final String BANNER_START = "Created a local organization";
    static final String BANNER_END = "Kickoff is ready on";

    private final Suite suite;
    private final List<Stack> stacks;

    LeakPhase(Suite suite, List<Stack> stacks) {
        this.suite = suite;
        this.stacks = stacks;
    }

    void run() throws Exception {
        Report report = suite.report();
        Map<String, String> secrets = Secrets.all();
        List<String> leaks = new ArrayList<>();
        long bytes = 0;
        int files = 0;
        for (Stack stack : stacks) {
            List<Path> logs = stack.logFiles();
            for (int i = 0; i < logs.size(); i++) {
                if (!Files.exists(logs.get(i))) {
                    continue;
                }
                String text = Files.readString(logs.get(i), StandardCharsets.UTF_8);
                bytes += text.length();
                files++;
                leaks.addAll(scan(text, i == 0, logs.get(i).getFileName().toString(), secrets));
            }
        }
        report.measure(PHASE, "secrets looked for; stack log bytes searched", secrets.size() + "; " + bytes,
                files + " log files (stdout and stderr of every stack lifetime)");
        report.zero(PHASE, "secrets found in stack logs (first-start banner aside)", leaks.size(), leaks);

        SecretComparisons.Result code = SecretComparisons.check(suite.options().root());
        report.zero(PHASE, "credential comparisons not classified constant-time", code.unclassified().size(), code.unclassified());
        report.zero(PHASE, "constant-time rules the code no longer keeps", code.broken().size(), code.broken());
        report.measure(PHASE, "comparisons near credentials inspected", Integer.toString(code.sites()),
                "API tokens: SHA-256, looked up by hash as the DynamoDB key (never compared); local invocation secret: "
                        + "MessageDigest.isEqual");
        StringBuilder md = new StringBuilder("Secrets are looked for verbatim in every line every stack process printed ")
                .append("(stdout and stderr, every lifetime, SIGKILLed ones included), outside the first-start banner of ")
                .append("the first lifetime, which shows the first organization's tokens once by design. Constant time, in ")
                .append("the code (`SecretComparisons`):\n\n");
        for (SecretComparisons.Required r : SecretComparisons.REQUIRED) {
            md.append("* `").append(r.file()).append("`: `").append(r.fragment()).append("` — ").append(r.why()).append('\n');
        }
        md.append("\nComparisons near credentials that are not credential comparisons, and why:\n\n");
        for (SecretComparisons.Classified c : SecretComparisons.CLASSIFIED) {
            md.append("* `").append(c.file()).append("`: `").append(c.fragment().isEmpty() ? "(any)" : c.fragment())
                    .append("` — ").append(c.why()).append('\n');
        }
        report.section("Secrets", md.toString());
    }

    /** Every line holding a secret, outside the banner (when the log is a stack's first lifetime). */
    static List<String> scan(String text, boolean firstLifetime, String file, Map<String, String> secrets) {
        List<String> found = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        boolean inBanner = false;
        boolean bannerSeen = false;
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            if (firstLifetime && !bannerSeen && line.contains(BANNER_START)) {
                inBanner = true;
            }
            if (!inBanner) {
                for (var s : secrets.entrySet()) {
                    if (line.contains(s.getKey())) {
                        found.add(file + ":" + (n + 1) + ": " + s.getValue() + " in \"" + mask(line, s.getKey()) + "\"");
                    }
                }
            }
            if (inBanner && line.contains(BANNER_END)) {
                inBanner = false;
                bannerSeen = true;
            }
        }
        return found;
    }

    static String mask(String line, String secret) {
        String masked = line.replace(secret, secret.substring(0, Math.min(6, secret.length())) + "…");
        return masked.length() > 200 ? masked.substring(0, 200) + "…" : masked;
    }
}
