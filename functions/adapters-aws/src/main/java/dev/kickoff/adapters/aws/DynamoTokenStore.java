package dev.kickoff.adapters.aws;

import dev.kickoff.core.auth.ApiToken;
import dev.kickoff.core.auth.Grant;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.auth.Scope;
import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.TokenStore;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Two items per token, written and deleted together in a transaction:
 * {@code pk=ORG#<org> sk=TOKEN#<id>} (for listing) and {@code pk=TOKENHASH#<sha256> sk=TOKENHASH} (for the
 * one-read lookup on every request). Deleting the hash item is what revokes a token, with immediate effect
 * because lookups read consistently.
 */
public final class DynamoTokenStore implements TokenStore {
    private static final String CUSTOM = "custom";
    private final DynamoTable table;

    public DynamoTokenStore(DynamoTable table) {
        this.table = table;
    }

    static String hashPk(String hash) {
        return "TOKENHASH#" + hash;
    }

    static String sk(long tokenId) {
        return "TOKEN#" + Attrs.pad(tokenId);
    }

    @Override
    public void create(ApiToken token, String secretHash) {
        Map<String, AttributeValue> entry = new HashMap<>(DynamoTable.key(DynamoOrganizationStore.pk(token.orgId()),
                sk(token.id())));
        entry.put("type", Attrs.s("token"));
        entry.put("org_id", Attrs.n(token.orgId()));
        entry.put("token_id", Attrs.n(token.id()));
        entry.put("name", Attrs.s(token.name()));
        putGrant(entry, token.grant());
        entry.put("prefix", Attrs.s(token.prefix()));
        entry.put("created_at", Attrs.instant(token.createdAt()));
        entry.put("secret_hash", Attrs.s(secretHash));

        Map<String, AttributeValue> lookup = new HashMap<>(DynamoTable.key(hashPk(secretHash), "TOKENHASH"));
        lookup.put("type", Attrs.s("token_hash"));
        lookup.put("org_id", Attrs.n(token.orgId()));
        lookup.put("token_id", Attrs.n(token.id()));
        lookup.put("name", Attrs.s(token.name()));
        putGrant(lookup, token.grant());
        try {
            table.client().transactWriteItems(TransactWriteItemsRequest.builder().transactItems(
                    put(entry), put(lookup)).build());
        } catch (TransactionCanceledException e) {
            List<CancellationReason> reasons = e.cancellationReasons();
            if (!reasons.isEmpty() && "ConditionalCheckFailed".equals(reasons.getFirst().code())) {
                throw new DuplicateIdException("token " + token.id());
            }
            throw e;
        }
    }

    private TransactWriteItem put(Map<String, AttributeValue> item) {
        return TransactWriteItem.builder().put(Put.builder().tableName(table.name()).item(item)
                .conditionExpression("attribute_not_exists(pk)").build()).build();
    }

    @Override
    public Optional<Principal> findByHash(String secretHash) {
        return principal(table.get(hashPk(secretHash), "TOKENHASH", true));
    }

    static Map<String, AttributeValue> hashKey(String secretHash) {
        return DynamoTable.key(hashPk(secretHash), "TOKENHASH");
    }

    /** The principal a token's hash item names; empty for no item, or one whose grant cannot be read. */
    static Optional<Principal> principal(Map<String, AttributeValue> item) {
        if (item == null) {
            return Optional.empty();
        }
        Grant grant = grant(item);
        if (grant == null) {
            return Optional.empty();
        }
        return Optional.of(new Principal(Attrs.num(item, "org_id"), Attrs.num(item, "token_id"),
                Attrs.str(item, "name"), grant));
    }

    @Override
    public List<ApiToken> list(long orgId) {
        List<ApiToken> tokens = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            var response = table.client().query(QueryRequest.builder().tableName(table.name())
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":pk", Attrs.s(DynamoOrganizationStore.pk(orgId)),
                            ":prefix", Attrs.s("TOKEN#")))
                    .exclusiveStartKey(start).build());
            for (Map<String, AttributeValue> item : response.items()) {
                tokens.add(token(item));
            }
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (start != null);
        return tokens;
    }

    @Override
    public boolean delete(long orgId, long tokenId) {
        Map<String, AttributeValue> item = table.get(DynamoOrganizationStore.pk(orgId), sk(tokenId), true);
        if (item == null) {
            return false;
        }
        String hash = Attrs.str(item, "secret_hash");
        try {
            table.client().transactWriteItems(TransactWriteItemsRequest.builder().transactItems(
                    TransactWriteItem.builder().delete(Delete.builder().tableName(table.name())
                            .key(DynamoTable.key(DynamoOrganizationStore.pk(orgId), sk(tokenId)))
                            .conditionExpression("attribute_exists(pk)").build()).build(),
                    TransactWriteItem.builder().delete(Delete.builder().tableName(table.name())
                            .key(DynamoTable.key(hashPk(hash), "TOKENHASH")).build()).build()).build());
            return true;
        } catch (TransactionCanceledException e) {
            return false;  // deleted by a concurrent request
        }
    }

    private static ApiToken token(Map<String, AttributeValue> item) {
        return new ApiToken(Attrs.num(item, "token_id"), Attrs.num(item, "org_id"), Attrs.str(item, "name"),
                Optional.ofNullable(grant(item)).orElseThrow(), Attrs.str(item, "prefix"),
                Attrs.time(item, "created_at"));
    }

    /**
     * A bundle token keeps the one attribute every token had before fine-grained scopes ({@code scope: api} or
     * {@code manage}), so it grows with its bundle; a token with its own list stores {@code scope: custom}, the
     * list as a string set {@code scopes}, and its workflows (if restricted) as a number set {@code workflow_ids}.
     */
    private static void putGrant(Map<String, AttributeValue> item, Grant grant) {
        Scope bundle = grant.bundle();
        if (bundle != null) {
            item.put("scope", Attrs.s(bundle.wireName()));
            return;
        }
        item.put("scope", Attrs.s(CUSTOM));
        item.put("scopes", AttributeValue.fromSs(grant.wireNames()));
        if (!grant.workflowIds().isEmpty()) {
            item.put("workflow_ids", AttributeValue.fromNs(grant.sortedWorkflowIds().stream()
                    .map(String::valueOf).toList()));
        }
    }

    /** The token's grant, or null when the item names no scope this version knows. */
    private static Grant grant(Map<String, AttributeValue> item) {
        String scope = Attrs.str(item, "scope");
        if (!CUSTOM.equals(scope)) {
            return Scope.fromWire(scope).map(Grant::of).orElse(null);
        }
        AttributeValue scopes = item.get("scopes");
        Set<Permission> permissions = new HashSet<>();
        if (scopes != null && scopes.hasSs()) {
            // A scope name a later version added is skipped: the token can do less here, never more.
            scopes.ss().forEach(name -> Permission.fromWire(name).ifPresent(permissions::add));
        }
        Set<Long> workflows = new HashSet<>();
        AttributeValue ids = item.get("workflow_ids");
        if (ids != null && ids.hasNs()) {
            ids.ns().forEach(n -> workflows.add(Long.parseLong(n)));
        }
        return permissions.isEmpty() ? null : new Grant(permissions, workflows);
    }
}
