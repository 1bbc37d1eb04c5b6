package dev.kickoff.adapters.aws;

import dev.kickoff.core.connection.Connection;
import dev.kickoff.core.connection.Provider;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.ConnectionStore;
import dev.kickoff.core.port.DuplicateIdException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Connections on DynamoDB (see docs/data-model.md), in their organization's partition:
 * <ul>
 *   <li>connection {@code pk=ORG#<org> sk=CONN#<id>}: provider, name, config (JSON text), secret_keys, and
 *       {@code secrets}: the sealed blob (binary), never the plaintext;</li>
 *   <li>default marker {@code pk=ORG#<org> sk=CONNDEFAULT#<provider>}: the ID of the provider's default
 *       connection. One item per provider, so "one default per provider" holds by construction; making another
 *       connection the default overwrites it.</li>
 * </ul>
 * One query ({@code begins_with(sk, "CONN")}) lists an organization's connections and markers together. A
 * connection and its marker change together in one transaction; a marker left pointing at nothing (it cannot be,
 * but a reader does not rely on it) reads as "no default".
 */
public final class DynamoConnectionStore implements ConnectionStore {
    static final String PREFIX = "CONN";

    private final DynamoTable table;

    public DynamoConnectionStore(DynamoTable table) {
        this.table = table;
    }

    static String sk(String connectionId) {
        return "CONN#" + connectionId;
    }

    static String defaultSk(Provider provider) {
        return "CONNDEFAULT#" + provider.wireName();
    }

    @Override
    public void create(Connection c) {
        Put put = Put.builder().tableName(table.name()).item(item(c))
                .conditionExpression("attribute_not_exists(pk)").build();
        try {
            if (c.isDefault()) {
                table.client().transactWriteItems(TransactWriteItemsRequest.builder().transactItems(
                        TransactWriteItem.builder().put(put).build(),
                        TransactWriteItem.builder().put(marker(c)).build()).build());
            } else {
                table.client().putItem(PutItemRequest.builder().tableName(table.name()).item(put.item())
                        .conditionExpression(put.conditionExpression()).build());
            }
        } catch (ConditionalCheckFailedException e) {
            throw new DuplicateIdException("connection " + c.id());
        } catch (TransactionCanceledException e) {
            if (failed(e, 0)) {
                throw new DuplicateIdException("connection " + c.id());
            }
            throw e;
        }
    }

    @Override
    public Optional<Connection> find(long orgId, String connectionId) {
        Map<String, AttributeValue> item = table.get(DynamoOrganizationStore.pk(orgId), sk(connectionId), true);
        if (item == null) {
            return Optional.empty();
        }
        Connection c = connection(item, false);
        return Optional.of(c.withDefault(connectionId.equals(markerTarget(orgId, c.provider()))));
    }

    @Override
    public List<Connection> list(long orgId) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            var response = table.client().query(QueryRequest.builder().tableName(table.name())
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :prefix)")
                    .expressionAttributeValues(Map.of(":pk", Attrs.s(DynamoOrganizationStore.pk(orgId)),
                            ":prefix", Attrs.s(PREFIX)))
                    .consistentRead(true).exclusiveStartKey(start).build());
            items.addAll(response.items());
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()
                    ? response.lastEvaluatedKey() : null;
        } while (start != null);
        Map<String, String> defaults = new HashMap<>();
        for (Map<String, AttributeValue> i : items) {
            if (Attrs.str(i, "sk").startsWith("CONNDEFAULT#")) {
                defaults.put(Attrs.str(i, "provider"), Attrs.str(i, "connection_id"));
            }
        }
        List<Connection> out = new ArrayList<>();
        for (Map<String, AttributeValue> i : items) {
            if (Attrs.str(i, "sk").startsWith("CONN#")) {
                Connection c = connection(i, false);
                out.add(c.withDefault(c.id().equals(defaults.get(c.provider().wireName()))));
            }
        }
        out.sort(Comparator.comparing(Connection::createdAt).thenComparing(Connection::id));
        return out;
    }

    @Override
    public Optional<Connection> findDefault(long orgId, Provider provider) {
        String target = markerTarget(orgId, provider);
        if (target == null) {
            return Optional.empty();
        }
        Map<String, AttributeValue> item = table.get(DynamoOrganizationStore.pk(orgId), sk(target), true);
        return item == null ? Optional.empty() : Optional.of(connection(item, true));
    }

    @Override
    public Optional<Connection> replace(Connection c) {
        String pk = DynamoOrganizationStore.pk(c.orgId());
        Update update = Update.builder().tableName(table.name()).key(DynamoTable.key(pk, sk(c.id())))
                .updateExpression("SET #name = :name, config = :config, secret_keys = :keys, secrets = :secrets, "
                        + "updated_at = :at")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeNames(Map.of("#name", "name"))
                .expressionAttributeValues(RunItems.values(":name", Attrs.s(c.name()),
                        ":config", Attrs.s(Json.write(c.config())),
                        ":keys", keys(c.secretKeys()),
                        ":secrets", AttributeValue.fromB(SdkBytes.fromByteArray(c.sealedSecrets())),
                        ":at", Attrs.instant(c.updatedAt())))
                .build();
        List<TransactWriteItem> writes = new ArrayList<>();
        writes.add(TransactWriteItem.builder().update(update).build());
        if (c.isDefault()) {
            writes.add(TransactWriteItem.builder().put(marker(c)).build());
        } else if (c.id().equals(markerTarget(c.orgId(), c.provider()))) {
            writes.add(TransactWriteItem.builder().delete(unmark(c.orgId(), c.provider(), c.id())).build());
        }
        try {
            table.client().transactWriteItems(TransactWriteItemsRequest.builder().transactItems(writes).build());
        } catch (TransactionCanceledException e) {
            if (failed(e, 0)) {
                return Optional.empty();
            }
            throw e;
        }
        return find(c.orgId(), c.id());
    }

    @Override
    public boolean delete(long orgId, String connectionId) {
        String pk = DynamoOrganizationStore.pk(orgId);
        Map<String, AttributeValue> item = table.get(pk, sk(connectionId), true);
        if (item == null) {
            return false;
        }
        Provider provider = Provider.fromWire(Attrs.str(item, "provider")).orElseThrow();
        Delete delete = Delete.builder().tableName(table.name()).key(DynamoTable.key(pk, sk(connectionId)))
                .conditionExpression("attribute_exists(pk)").build();
        if (connectionId.equals(markerTarget(orgId, provider))) {
            try {
                table.client().transactWriteItems(TransactWriteItemsRequest.builder().transactItems(
                        TransactWriteItem.builder().delete(delete).build(),
                        TransactWriteItem.builder().delete(unmark(orgId, provider, connectionId)).build()).build());
                return true;
            } catch (TransactionCanceledException e) {
                if (failed(e, 0)) {
                    return false;
                }
                // The marker moved to another connection meanwhile: delete this one alone.
            }
        }
        try {
            table.client().deleteItem(DeleteItemRequest.builder().tableName(table.name()).key(delete.key())
                    .conditionExpression(delete.conditionExpression()).build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private String markerTarget(long orgId, Provider provider) {
        Map<String, AttributeValue> marker = table.get(DynamoOrganizationStore.pk(orgId), defaultSk(provider), true);
        return marker == null ? null : Attrs.str(marker, "connection_id");
    }

    private Put marker(Connection c) {
        Map<String, AttributeValue> item = new HashMap<>(DynamoTable.key(DynamoOrganizationStore.pk(c.orgId()),
                defaultSk(c.provider())));
        item.put("type", Attrs.s("connection_default"));
        item.put("provider", Attrs.s(c.provider().wireName()));
        item.put("connection_id", Attrs.s(c.id()));
        return Put.builder().tableName(table.name()).item(item).build();
    }

    private Delete unmark(long orgId, Provider provider, String connectionId) {
        return Delete.builder().tableName(table.name())
                .key(DynamoTable.key(DynamoOrganizationStore.pk(orgId), defaultSk(provider)))
                .conditionExpression("connection_id = :id")
                .expressionAttributeValues(Map.of(":id", Attrs.s(connectionId))).build();
    }

    private static boolean failed(TransactionCanceledException e, int index) {
        List<CancellationReason> reasons = e.cancellationReasons();
        return reasons != null && reasons.size() > index && "ConditionalCheckFailed".equals(reasons.get(index).code());
    }

    static Map<String, AttributeValue> item(Connection c) {
        Map<String, AttributeValue> item = new HashMap<>(DynamoTable.key(DynamoOrganizationStore.pk(c.orgId()), sk(c.id())));
        item.put("type", Attrs.s("connection"));
        item.put("connection_id", Attrs.s(c.id()));
        item.put("org_id", Attrs.n(c.orgId()));
        item.put("provider", Attrs.s(c.provider().wireName()));
        item.put("name", Attrs.s(c.name()));
        item.put("config", Attrs.s(Json.write(c.config())));
        item.put("secret_keys", keys(c.secretKeys()));
        item.put("secrets", AttributeValue.fromB(SdkBytes.fromByteArray(c.sealedSecrets())));
        item.put("created_at", Attrs.instant(c.createdAt()));
        item.put("updated_at", Attrs.instant(c.updatedAt()));
        return item;
    }

    private static AttributeValue keys(List<String> keys) {
        return AttributeValue.fromL(keys.stream().map(Attrs::s).toList());
    }

    static Connection connection(Map<String, AttributeValue> item, boolean isDefault) {
        AttributeValue keys = item.get("secret_keys");
        AttributeValue secrets = item.get("secrets");
        return new Connection(
                Attrs.str(item, "connection_id"),
                Attrs.num(item, "org_id"),
                Provider.fromWire(Attrs.str(item, "provider")).orElseThrow(),
                Attrs.str(item, "name"),
                Json.read(Attrs.str(item, "config")),
                keys == null || !keys.hasL() ? List.of() : keys.l().stream().map(AttributeValue::s).toList(),
                secrets == null || secrets.b() == null ? new byte[0] : secrets.b().asByteArray(),
                isDefault,
                Attrs.time(item, "created_at"),
                Attrs.time(item, "updated_at"));
    }
}
