package dev.kickoff.core.org;

import dev.kickoff.core.id.FreshIds;
import dev.kickoff.core.auth.IssuedToken;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.auth.TokenService;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.port.OrganizationStore;

import java.time.Clock;
import java.time.temporal.ChronoUnit;

/** Creates organizations with their first manage token: the one bootstrap step that needs no token. */
public final class OrganizationService {
    private final OrganizationStore store;
    private final TokenService tokens;
    private final IdGenerator ids;
    private final Clock clock;

    public OrganizationService(OrganizationStore store, TokenService tokens, IdGenerator ids, Clock clock) {
        this.store = store;
        this.tokens = tokens;
        this.ids = ids;
        this.clock = clock;
    }

    public record Bootstrap(Organization organization, IssuedToken manageToken) {
    }

    public java.util.Optional<Organization> find(long orgId) {
        return store.find(orgId);
    }

    public Bootstrap create(String name) {
        String clean = name == null ? "" : name.strip();
        if (clean.isEmpty() || clean.length() > 200) {
            throw new KickoffException(Reason.INVALID_REQUEST, "organization name must be 1 to 200 characters");
        }
        Organization org = FreshIds.store(() -> {
            Organization created = new Organization(ids.next(), clean, clock.instant().truncatedTo(ChronoUnit.MILLIS));
            store.create(created);
            return created;
        });
        return new Bootstrap(org, tokens.issue(org.id(), "bootstrap", Scope.MANAGE));
    }
}
