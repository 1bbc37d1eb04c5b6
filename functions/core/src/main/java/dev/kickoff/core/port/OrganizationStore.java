package dev.kickoff.core.port;

import dev.kickoff.core.org.Organization;

import java.util.Optional;

public interface OrganizationStore {
    /** Throws {@link DuplicateIdException} when the ID is taken. */
    void create(Organization organization);

    Optional<Organization> find(long orgId);
}
