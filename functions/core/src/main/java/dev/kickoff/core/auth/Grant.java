package dev.kickoff.core.auth;

import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What a token may do: its scopes and, optionally, the only workflows it may use (empty: every workflow of its
 * organization).
 */
public record Grant(Set<Permission> permissions, Set<Long> workflowIds) {
    /** At most this many workflows can be named on one token. */
    public static final int MAX_WORKFLOWS = 100;

    public Grant {
        permissions = permissions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(permissions));
        workflowIds = Set.copyOf(workflowIds);
    }

    public static Grant of(Scope bundle) {
        return new Grant(bundle.permissions(), Set.of());
    }

    public boolean allows(Permission permission) {
        return permissions.contains(permission);
    }

    public boolean allowsWorkflow(long workflowId) {
        return workflowIds.isEmpty() || workflowIds.contains(workflowId);
    }

    /** The bundle this grant is exactly (no workflow list, the bundle's scopes), or null for a custom grant. */
    public Scope bundle() {
        return workflowIds.isEmpty() ? Scope.exactly(permissions).orElse(null) : null;
    }

    /** The scopes' wire names, in a stable order. */
    public List<String> wireNames() {
        return permissions.stream().sorted(Comparator.naturalOrder()).map(Permission::wireName).toList();
    }

    /** The workflow IDs, ascending. */
    public List<Long> sortedWorkflowIds() {
        return workflowIds.stream().sorted().toList();
    }
}
