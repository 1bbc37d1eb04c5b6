package dev.kickoff.adapters.aws;

import dev.kickoff.core.org.Organization;
import dev.kickoff.core.port.DuplicateIdException;
import dev.kickoff.core.port.OrganizationStore;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** {@code pk=ORG#<org> sk=ORG}. */
public final class DynamoOrganizationStore implements OrganizationStore {
    private final DynamoTable table;

    public DynamoOrganizationStore(DynamoTable table) {
        this.table = table;
    }

    static String pk(long orgId) {
        return "ORG#" + orgId;
    }

    @Override
    public void create(Organization org) {
        Map<String, AttributeValue> item = new HashMap<>(DynamoTable.key(pk(org.id()), "ORG"));
        item.put("type", Attrs.s("org"));
        item.put("org_id", Attrs.n(org.id()));
        item.put("name", Attrs.s(org.name()));
        item.put("created_at", Attrs.instant(org.createdAt()));
        if (!table.putNew(item)) {
            throw new DuplicateIdException("organization " + org.id());
        }
    }

    @Override
    public Optional<Organization> find(long orgId) {
        Map<String, AttributeValue> item = table.get(pk(orgId), "ORG", true);
        if (item == null) {
            return Optional.empty();
        }
        return Optional.of(new Organization(orgId, Attrs.str(item, "name"), Attrs.time(item, "created_at")));
    }
}
