package dev.kickoff.core.auth;

import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.port.TokenStore;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenScopesTest {
    /** Tokens by hash, as the store keeps them. */
    static final class Store implements TokenStore {
        final Map<String, ApiToken> byHash = new HashMap<>();

        @Override
        public void create(ApiToken token, String secretHash) {
            byHash.put(secretHash, token);
        }

        @Override
        public Optional<Principal> findByHash(String secretHash) {
            return Optional.ofNullable(byHash.get(secretHash))
                    .map(t -> new Principal(t.orgId(), t.id(), t.name(), t.grant()));
        }

        @Override
        public List<ApiToken> list(long orgId) {
            return new ArrayList<>(byHash.values());
        }

        @Override
        public boolean delete(long orgId, long tokenId) {
            return byHash.values().removeIf(t -> t.id() == tokenId);
        }
    }

    final Store store = new Store();
    final TokenService tokens = new TokenService(store, new IdGenerator(Clock.fixed(Instant.parse("2026-05-19T12:00:00Z"),
            ZoneOffset.UTC)), Clock.systemUTC());

    @Test
    void theBundlesAreTheScopesTheyAlwaysAllowed() {
        // Bundles only grow: runs:control joined api with the run controls, runs:inspect/operate joined manage.
        assertThat(Scope.API.permissions()).containsExactlyInAnyOrder(Permission.WORKFLOWS_EXECUTE,
                Permission.RUNS_READ, Permission.CASES_WRITE, Permission.CASES_READ, Permission.RUNS_CONTROL);
        assertThat(Scope.MANAGE.permissions()).contains(Permission.RUNS_INSPECT, Permission.RUNS_OPERATE);
        assertThat(Scope.MANAGE.permissions()).noneMatch(Permission::external);
        assertThat(Scope.API.permissions()).allMatch(Permission::external);
        assertThat(Grant.of(Scope.MANAGE).bundle()).isEqualTo(Scope.MANAGE);
        assertThat(new Grant(Scope.API.permissions(), Set.of(1L)).bundle()).as("restricted: custom").isNull();
    }

    @Test
    void aMissingScopeIsNamedAndAManageTokenIsNoApiTokenOnTheExternalApi() {
        String reader = tokens.issue(1, "reader", new Grant(Set.of(Permission.RUNS_READ), Set.of())).secret();
        assertThat(reader).startsWith("api_");
        assertThat(tokens.require(reader, Permission.RUNS_READ).orgId()).isEqualTo(1);
        assertThatThrownBy(() -> tokens.require(reader, Permission.WORKFLOWS_EXECUTE))
                .isInstanceOfSatisfying(KickoffException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.WRONG_SCOPE);
                    assertThat(e.getMessage()).contains("workflows:execute").contains("runs:read");
                });

        String manage = tokens.issue(1, "admin", Scope.MANAGE).secret();
        assertThat(manage).startsWith("mgt_");
        assertThatThrownBy(() -> tokens.require(manage, Permission.WORKFLOWS_EXECUTE))
                .isInstanceOfSatisfying(KickoffException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.UNAUTHENTICATED);
                    assertThat(e.getMessage()).contains("api scope");
                });
        String api = tokens.issue(1, "ci", Scope.API).secret();
        assertThatThrownBy(() -> tokens.require(api, Permission.TOKENS_READ))
                .isInstanceOfSatisfying(KickoffException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.WRONG_SCOPE);
                    assertThat(e.getMessage()).contains("tokens:read").contains("manage scope");
                });
        assertThatThrownBy(() -> tokens.require("api_unknown", Permission.RUNS_READ))
                .isInstanceOfSatisfying(KickoffException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNAUTHENTICATED));
    }

    @Test
    void aTokenNeedsAScopeAndAtMostAHundredWorkflows() {
        assertThatThrownBy(() -> tokens.issue(1, "none", new Grant(Set.of(), Set.of())))
                .isInstanceOf(KickoffException.class);
        Set<Long> many = new java.util.HashSet<>();
        for (long i = 1; i <= Grant.MAX_WORKFLOWS + 1; i++) {
            many.add(i);
        }
        assertThatThrownBy(() -> tokens.issue(1, "many", new Grant(Set.of(Permission.RUNS_READ), many)))
                .isInstanceOf(KickoffException.class);
        var one = tokens.issue(1, "one", new Grant(Set.of(Permission.WORKFLOWS_EXECUTE), Set.of(5L)));
        assertThat(one.token().grant().allowsWorkflow(5)).isTrue();
        assertThat(one.token().grant().allowsWorkflow(6)).isFalse();
        assertThat(store.byHash).doesNotContainKey(one.secret());
    }
}
