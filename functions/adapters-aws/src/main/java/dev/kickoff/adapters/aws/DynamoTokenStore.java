package dev.kickoff.adapters.aws;

import dev.kickoff.core.auth.ApiToken;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Two items per token, written and deleted together in a transaction:
 * {@code pk=ORG#<org> sk=TOKEN#<id>} (for listing) and {@code pk=TOKENHASH#<sha256> sk=TOKENHASH} (for the
 * one-read lookup on every request). Deleting the hash item is what revokes a token, with immediate effect
 * because lookups read consistently.
 */
public final class DynamoTokenStore implements TokenStore {
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
        entry.put("scope", Attrs.s(token.scope().wireName()));
        entry.put("prefix", Attrs.s(token.prefix()));
        entry.put("created_at", Attrs.instant(token.createdAt()));
        entry.put("secret_hash", Attrs.s(secretHash));

        Map<String, AttributeValue> lookup = new HashMap<>(DynamoTable.key(hashPk(secretHash), "TOKENHASH"));
        lookup.put("type", Attrs.s("token_hash"));
        lookup.put("org_id", Attrs.n(token.orgId()));
        lookup.put("token_id", Attrs.n(token.id()));
        lookup.put("name", Attrs.s(token.name()));
        lookup.put("scope", Attrs.s(token.scope().wireName()));
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
        Map<String, AttributeValue> item = table.get(hashPk(secretHash), "TOKENHASH", true);
        if (item == null) {
            return Optional.empty();
        }
        Scope scope = Scope.fromWire(Attrs.str(item, "scope")).orElse(null);
        if (scope == null) {
            return Optional.empty();
        }
        return Optional.of(new Principal(Attrs.num(item, "org_id"), Attrs.num(item, "token_id"),
                Attrs.str(item, "name"), scope));
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
                Scope.fromWire(Attrs.str(item, "scope")).orElseThrow(), Attrs.str(item, "prefix"),
                Attrs.time(item, "created_at"));
    }
}
