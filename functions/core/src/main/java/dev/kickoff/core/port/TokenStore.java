package dev.kickoff.core.port;

import dev.kickoff.core.auth.ApiToken;
import dev.kickoff.core.auth.Principal;

import java.util.List;
import java.util.Optional;

/** Where tokens live. Secrets never reach it: only their SHA-256. */
public interface TokenStore {
    /** Stores a token under its hash; throws {@link DuplicateIdException} if the ID is taken in the org. */
    void create(ApiToken token, String secretHash);

    /** Looks a token up by the hash of its secret, with a strongly consistent read (revocation is immediate). */
    Optional<Principal> findByHash(String secretHash);

    List<ApiToken> list(long orgId);

    /** Deletes the token and its hash entry; false when the org has no such token. */
    boolean delete(long orgId, long tokenId);
}
