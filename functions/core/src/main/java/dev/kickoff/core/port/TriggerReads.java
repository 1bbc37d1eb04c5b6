package dev.kickoff.core.port;

import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.workflow.Workflow;

import java.util.Optional;

/**
 * The trigger path's two strongly consistent reads, the token by its hash and a workflow head, in one round trip.
 * The head's key needs the token's organization, so this is only possible once an instance has seen the token
 * (a token's organization never changes); both reads stay consistent, so a revoked token or a new publish counts
 * on the very next request.
 */
public interface TriggerReads {
    /** The token as {@link TokenStore#findByHash} finds it, and {@code orgId}'s head of {@code workflowId}. */
    TokenAndHead read(String secretHash, long orgId, long workflowId);

    record TokenAndHead(Optional<Principal> token, Head head) {
    }

    /** A head read by this request: {@code workflow} empty when {@code orgId} has no such workflow. */
    record Head(long orgId, long workflowId, Optional<Workflow> workflow) {
        /** The read's answer for this caller and workflow, or null when it was a read of something else. */
        public Optional<Workflow> answer(long callerOrgId, long callerWorkflowId) {
            return orgId == callerOrgId && workflowId == callerWorkflowId ? workflow : null;
        }
    }
}
