package dev.kickoff.core.auth;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The named bundles of {@link Permission}s a token can be made with: {@code api} tokens start runs, create cases
 * and read them back; {@code manage} tokens administer an organization. Tokens stored with a bundle keep working
 * as the bundle grows. The bundle also picks the secret's prefix.
 */
public enum Scope {
    API("api_", EnumSet.of(Permission.WORKFLOWS_EXECUTE, Permission.RUNS_READ, Permission.CASES_WRITE,
            Permission.CASES_READ, Permission.RUNS_CONTROL)),
    MANAGE("mgt_", EnumSet.of(Permission.WORKFLOWS_READ, Permission.WORKFLOWS_WRITE, Permission.TOKENS_READ,
            Permission.TOKENS_WRITE, Permission.WEBHOOKS_READ, Permission.WEBHOOKS_WRITE,
            Permission.CONNECTIONS_READ, Permission.CONNECTIONS_WRITE, Permission.RUNS_INSPECT,
            Permission.RUNS_OPERATE, Permission.SCHEDULES_READ, Permission.SCHEDULES_WRITE,
            Permission.USAGE_READ));

    private final String secretPrefix;
    private final Set<Permission> permissions;

    Scope(String secretPrefix, Set<Permission> permissions) {
        this.secretPrefix = secretPrefix;
        this.permissions = Set.copyOf(permissions);
    }

    public String secretPrefix() {
        return secretPrefix;
    }

    public Set<Permission> permissions() {
        return permissions;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Scope> fromWire(String text) {
        for (Scope s : values()) {
            if (s.wireName().equals(text)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** The bundle that is exactly this set, if any. */
    public static Optional<Scope> exactly(Set<Permission> permissions) {
        for (Scope s : values()) {
            if (s.permissions.equals(permissions)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * The secret prefix of a token holding these permissions: {@code api_} when it holds any scope of the external
     * APIs (it is meant to be used there), {@code mgt_} otherwise.
     */
    public static Scope prefixFor(Set<Permission> permissions) {
        return permissions.stream().anyMatch(Permission::external) ? API : MANAGE;
    }
}
