package dev.kickoff.bench.cost;

import dev.kickoff.bench.BenchStack;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** DynamoDB's item size rules, to cross-check the capacity DynamoDB Local reports (1 WRU per 1 KB written). */
final class ItemSizes {
    private ItemSizes() {
    }

    /** The stored size of a run's item (pk {@code RUN#<id>}, docs/data-model.md), in bytes. */
    static double runItemBytes(BenchStack stack, long runId) {
        Map<String, AttributeValue> item = stack.runtime.dynamo().getItem(GetItemRequest.builder()
                .tableName(stack.tableName()).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS("RUN#" + runId), "sk", AttributeValue.fromS("RUN"))).build())
                .item();
        return size(item);
    }

    static long size(Map<String, AttributeValue> item) {
        long total = 0;
        for (var e : item.entrySet()) {
            total += utf8(e.getKey()) + size(e.getValue());
        }
        return total;
    }

    static long size(AttributeValue v) {
        if (v.s() != null) {
            return utf8(v.s());
        }
        if (v.n() != null) {
            // Up to 38 significant digits, stored in roughly one byte per two digits plus one.
            String digits = v.n().replaceAll("[^0-9]", "").replaceFirst("^0+", "");
            return (digits.length() + 1) / 2 + 1;
        }
        if (v.bool() != null || Boolean.TRUE.equals(v.nul())) {
            return 1;
        }
        if (v.hasM()) {
            return 3 + size(v.m());
        }
        if (v.hasL()) {
            return 3 + v.l().stream().mapToLong(x -> 1 + size(x)).sum();
        }
        return v.b() == null ? 0 : v.b().asByteArray().length;
    }

    private static long utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
