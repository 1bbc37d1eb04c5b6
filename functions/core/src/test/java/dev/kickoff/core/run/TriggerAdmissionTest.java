package dev.kickoff.core.run;

import dev.kickoff.core.auth.ApiToken;
import dev.kickoff.core.auth.IssuedToken;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.auth.TokenService;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.id.IdGenerator;
import dev.kickoff.core.limit.ExecuteRateLimiter;
import dev.kickoff.core.limit.RateLimitedException;
import dev.kickoff.core.port.RateLimitStore;
import dev.kickoff.core.port.TokenStore;
import dev.kickoff.core.port.TriggerReads;
import dev.kickoff.core.testing.InMemoryWorkflowStore;
import dev.kickoff.core.testing.MutableClock;
import dev.kickoff.core.workflow.Workflow;
import dev.kickoff.core.workflow.WorkflowKind;
import dev.kickoff.core.workflow.WorkflowVersion;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The trigger's front: what it reads, in how many calls, and that a revocation and a publish count at once. */
class TriggerAdmissionTest {
    static final long ORG = 7;
    static final long WORKFLOW = 42;

    static final class Tokens implements TokenStore {
        final Map<String, ApiToken> byHash = new ConcurrentHashMap<>();
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public void create(ApiToken token, String secretHash) {
            byHash.put(secretHash, token);
        }

        @Override
        public Optional<Principal> findByHash(String secretHash) {
            reads.incrementAndGet();
            return Optional.ofNullable(byHash.get(secretHash)).map(t -> new Principal(t.orgId(), t.id(), t.name(),
                    t.grant()));
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

    static final class Counters implements RateLimitStore {
        final Map<Long, Long> counts = new ConcurrentHashMap<>();

        @Override
        public synchronized OptionalLong increment(long tokenId, Instant windowStart, int limit, Instant expiresAt) {
            long count = counts.getOrDefault(tokenId, 0L);
            if (count >= limit) {
                return OptionalLong.empty();
            }
            counts.put(tokenId, count + 1);
            return OptionalLong.of(count + 1);
        }

        @Override
        public OptionalInt executeLimit(long orgId) {
            return OptionalInt.empty();
        }

        @Override
        public boolean setExecuteLimit(long orgId, Integer perMinute) {
            return true;
        }
    }

    final MutableClock clock = new MutableClock(Instant.parse("2026-12-02T03:00:10Z"));
    final Tokens tokenStore = new Tokens();
    final InMemoryWorkflowStore workflows = new InMemoryWorkflowStore();
    final AtomicInteger batchReads = new AtomicInteger();
    final TriggerReads reads = (hash, orgId, workflowId) -> {
        batchReads.incrementAndGet();
        return new TriggerReads.TokenAndHead(tokenStore.findByHash(hash),
                new TriggerReads.Head(orgId, workflowId, workflows.find(orgId, workflowId)));
    };
    final TokenService tokens = new TokenService(tokenStore, new IdGenerator(clock), clock);
    final Counters counters = new Counters();
    final TriggerAdmission admission = new TriggerAdmission(tokens, reads, new ExecuteRateLimiter(counters, clock, 3));

    Workflow head(Integer published) {
        return new Workflow(WORKFLOW, ORG, "wf", WorkflowKind.STANDARD, 2, published, clock.instant(), clock.instant());
    }

    @Test
    void aTokenSeenBeforeIsReadWithTheHeadInOneCallAndCountedAlongside() {
        workflows.create(head(1), new WorkflowVersion(WORKFLOW, 1, null, clock.instant()));
        IssuedToken token = tokens.issue(ORG, "ci", Scope.API);

        TriggerAdmission.Admitted first = admission.admit(token.secret(), Permission.WORKFLOWS_EXECUTE, WORKFLOW);
        assertThat(first.head()).as("first sight: the token alone, the run's start reads the head").isNull();
        assertThat(first.decision().remaining()).isEqualTo(2);
        assertThat(batchReads).hasValue(0);

        TriggerAdmission.Admitted second = admission.admit(token.secret(), Permission.WORKFLOWS_EXECUTE, WORKFLOW);
        assertThat(batchReads).as("token and head in one call").hasValue(1);
        assertThat(second.principal().tokenId()).isEqualTo(token.token().id());
        assertThat(second.head().answer(ORG, WORKFLOW)).contains(head(1));
        assertThat(second.head().answer(ORG + 1, WORKFLOW)).as("another org's read answers nothing").isNull();
        assertThat(second.decision().remaining()).as("counted on the fast path too").isEqualTo(1);
        assertThat(counters.counts.get(token.token().id())).isEqualTo(2);
    }

    @Test
    void aRevokedTokenFailsOnTheNextRequestAndAPublishServesIt() {
        workflows.create(head(null), new WorkflowVersion(WORKFLOW, 1, null, clock.instant()));
        IssuedToken token = tokens.issue(ORG, "ci", Scope.API);
        admission.admit(token.secret(), Permission.WORKFLOWS_EXECUTE, WORKFLOW);
        assertThat(admission.admit(token.secret(), Permission.WORKFLOWS_EXECUTE, WORKFLOW).head().workflow())
                .hasValueSatisfying(w -> assertThat(w.published()).isFalse());
        workflows.publish(ORG, WORKFLOW, 2, clock.instant());
        assertThat(admission.admit(token.secret(), Permission.WORKFLOWS_EXECUTE, WORKFLOW).head().workflow())
                .as("the publish serves the next request").hasValueSatisfying(w -> assertThat(w.publishedVersion())
                        .isEqualTo(2));

        tokens.revoke(ORG, token.token().id());
        assertThatThrownBy(() -> admission.admit(token.secret(), Permission.WORKFLOWS_EXECUTE, WORKFLOW))
                .isInstanceOfSatisfying(KickoffException.class, e -> assertThat(e.reason())
                        .isEqualTo(Reason.UNAUTHENTICATED));
        int before = tokenStore.reads.get();
        assertThatThrownBy(() -> admission.admit(token.secret(), Permission.WORKFLOWS_EXECUTE, WORKFLOW))
                .isInstanceOf(KickoffException.class);
        assertThat(tokenStore.reads.get() - before).as("forgotten: back to the plain token read").isEqualTo(1);
    }

    @Test
    void theLimitStillRefusesOnTheFastPathAndJunkOrAWrongScopeIsRefusedAsBefore() {
        workflows.create(head(1), new WorkflowVersion(WORKFLOW, 1, null, clock.instant()));
        IssuedToken token = tokens.issue(ORG, "ci", Scope.API);
        for (int i = 0; i < 3; i++) {
            admission.admit(token.secret(), Permission.WORKFLOWS_EXECUTE, WORKFLOW);
        }
        assertThatThrownBy(() -> admission.admit(token.secret(), Permission.WORKFLOWS_EXECUTE, WORKFLOW))
                .isInstanceOf(RateLimitedException.class);
        assertThat(batchReads.get()).isPositive();

        int reads = tokenStore.reads.get();
        assertThatThrownBy(() -> admission.admit("junk", Permission.WORKFLOWS_EXECUTE, WORKFLOW))
                .isInstanceOfSatisfying(KickoffException.class, e -> assertThat(e.reason())
                        .isEqualTo(Reason.UNAUTHENTICATED));
        assertThat(tokenStore.reads.get()).as("junk costs no read").isEqualTo(reads);

        IssuedToken manage = tokens.issue(ORG, "admin", Scope.MANAGE);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> admission.admit(manage.secret(), Permission.WORKFLOWS_EXECUTE, WORKFLOW))
                    .isInstanceOf(KickoffException.class);
        }
        assertThat(counters.counts).as("a token without the scope is never counted")
                .doesNotContainKey(manage.token().id());
    }
}
