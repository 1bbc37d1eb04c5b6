package dev.kickoff.adapters.aws;

import dev.kickoff.core.cases.Case;
import dev.kickoff.core.json.Json;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.Map;

/**
 * A case is one item, {@code pk=CASE#<id> sk=CASE} (the layout shared with the webhooks work: see
 * docs/data-model.md). It carries {@code gsi1pk = CASES#<org>#<workflow>#<status>} and
 * {@code gsi1sk = <created_at>#<id, 16 digits>}, so a workflow's cases in one status are one GSI query, newest
 * first; a status change rewrites {@code gsi1pk}, which moves the case between lists.
 */
final class CaseItems {
    static final String SK = "CASE";
    static final String INDEX = "gsi1";

    private CaseItems() {
    }

    static String pk(long caseId) {
        return "CASE#" + caseId;
    }

    static String gsi1pk(long orgId, long workflowId, String status) {
        return "CASES#" + orgId + "#" + workflowId + "#" + status;
    }

    static String gsi1sk(Case kase) {
        return Attrs.sortable(kase.createdAt()) + "#" + Attrs.pad(kase.id());
    }

    static Map<String, AttributeValue> toItem(Case kase) {
        Map<String, AttributeValue> item = new HashMap<>(DynamoTable.key(pk(kase.id()), SK));
        item.put("type", Attrs.s("case"));
        item.put("case_id", Attrs.n(kase.id()));
        item.put("org_id", Attrs.n(kase.orgId()));
        item.put("workflow_id", Attrs.n(kase.workflowId()));
        item.put("subject", Attrs.s(kase.subject()));
        item.put("status", Attrs.s(kase.status()));
        item.put("attributes", Attrs.s(Json.write(kase.attributes())));
        item.put("created_at", Attrs.instant(kase.createdAt()));
        item.put("updated_at", Attrs.instant(kase.updatedAt()));
        if (kase.runId() != null) {
            item.put("run_id", Attrs.n(kase.runId()));
        }
        item.put("gsi1pk", Attrs.s(gsi1pk(kase.orgId(), kase.workflowId(), kase.status())));
        item.put("gsi1sk", Attrs.s(gsi1sk(kase)));
        return item;
    }

    static Case fromItem(Map<String, AttributeValue> item) {
        return new Case(
                Attrs.num(item, "case_id"),
                Attrs.num(item, "org_id"),
                Attrs.num(item, "workflow_id"),
                Attrs.str(item, "subject"),
                Attrs.str(item, "status"),
                Json.read(Attrs.str(item, "attributes")),
                Attrs.time(item, "created_at"),
                Attrs.time(item, "updated_at"),
                Attrs.numOrNull(item, "run_id"));
    }
}
