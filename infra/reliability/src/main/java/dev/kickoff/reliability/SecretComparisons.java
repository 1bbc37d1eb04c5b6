package dev.kickoff.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * "Token comparison in constant time", shown in the code: a presented credential is never compared with a stored one
 * by {@code String.equals} (which returns at the first differing character, so its time tells an attacker how much
 * of a guess was right). API tokens are hashed (SHA-256) and looked up by their hash as a DynamoDB key, so no secret
 * is compared at all; the local invocation secret is compared with {@code MessageDigest.isEqual}. Every comparison
 * near a credential in the deployed and local-stack sources must be one of the classified ones below; a new one fails
 * the suite until it is classified (and, if it compares a credential, made constant-time).
 */
final class SecretComparisons {
    /** A comparison that looks like a credential's and is not, with why. */
    record Classified(String file, String fragment, String why) {
    }

    /** A rule the code must keep: this file contains this fragment. */
    record Required(String file, String fragment, String why) {
    }

    static final Pattern COMPARISON = Pattern.compile("(\\.equals|\\.equalsIgnoreCase|\\.compareTo|\\.contentEquals|Arrays\\.equals|"
            + "Objects\\.equals)\\(");
    static final Pattern CREDENTIAL_WORDS = Pattern.compile("(?i)secret|token|signature|password|bearer|api_?key|credential");
    static final Pattern CREDENTIAL_FILES = Pattern.compile("(?i)(auth|token|secret|credential|invoke)[^/]*\\.java$");

    static final List<Classified> CLASSIFIED = List.of(
            new Classified("DynamoTokenStore.java", "\"ConditionalCheckFailed\".equals(", "a DynamoDB error code"),
            new Classified("DynamoTokenStore.java", "CUSTOM.equals(scope)", "a scope name"),
            new Classified("KeyFileSecretBox.java", "envelope.keyRef().equals(keyRef)",
                    "the key file's name (a public fingerprint of it), not the key"),
            new Classified("Authenticator.java", "!bearer.equals(key)",
                    "two values one caller sent (Authorization and x-api-key): nothing stored is compared"),
            new Classified("InvokeEndpoint.java", "\"POST\".equals(", "an HTTP method"),
            new Classified("InvokeEndpoint.java", "secret.equals(Json.read(Files.readString(file))",
                    "its own secret against the file it wrote, at shutdown: no caller's input"),
            new Classified("RunWait.java", "token.substring(0, eq).strip().equalsIgnoreCase(\"wait\")",
                    "a Prefer header's preference name (RFC 7240 tokens), not a credential"),
            new Classified("FakeStripe.java", "auth.equals(\"Bearer \" + apiKey)", "a test fake of Stripe, never deployed"));

    static final List<Required> REQUIRED = List.of(
            new Required("TokenService.java", "store.findByHash(TokenSecrets.hash(secret))",
                    "a presented API token is hashed and looked up by its hash: never compared"),
            new Required("TokenSecrets.java", "MessageDigest.getInstance(\"SHA-256\")", "tokens are stored and found as SHA-256"),
            new Required("DynamoTokenStore.java", "table.get(hashPk(secretHash), \"TOKENHASH\", true)",
                    "the lookup is a GetItem by the hash as the key (DynamoDB compares keys, not the code)"),
            new Required("InvokeEndpoint.java", "MessageDigest.isEqual(",
                    "the local invocation secret is compared in constant time"));

    /** The result: comparisons found, the ones not classified, the rules not kept. */
    record Result(int sites, List<String> unclassified, List<String> broken) {
    }

    private SecretComparisons() {
    }

    static Result check(Path root) throws IOException {
        List<Path> sources = new ArrayList<>();
        for (String dir : List.of("functions", "infra")) {
            try (Stream<Path> walk = Files.walk(root.resolve(dir))) {
                walk.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")
                        && !p.toString().contains("/infra/reliability/")).forEach(sources::add);
            }
        }
        int sites = 0;
        List<String> unclassified = new ArrayList<>();
        for (Path file : sources) {
            String name = file.getFileName().toString();
            boolean credentialFile = CREDENTIAL_FILES.matcher(file.toString()).find();
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.startsWith("*") || line.startsWith("//") || !COMPARISON.matcher(line).find()) {
                    continue;
                }
                if (!credentialFile && !CREDENTIAL_WORDS.matcher(line).find()) {
                    continue;
                }
                sites++;
                String l = line;
                boolean known = CLASSIFIED.stream().anyMatch(c -> c.file().equals(name) && l.contains(c.fragment()));
                if (!known) {
                    unclassified.add(root.relativize(file) + ":" + (i + 1) + ": " + line);
                }
            }
        }
        List<String> broken = new ArrayList<>();
        for (Required r : REQUIRED) {
            boolean kept = false;
            for (Path file : sources) {
                if (file.getFileName().toString().equals(r.file())
                        && Files.readString(file, StandardCharsets.UTF_8).replaceAll("\\s+", " ").contains(r.fragment())) {
                    kept = true;
                }
            }
            if (!kept) {
                broken.add(r.file() + " no longer has " + r.fragment() + " (" + r.why() + ")");
            }
        }
        return new Result(sites, unclassified, broken);
    }
}
