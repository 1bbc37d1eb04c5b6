package dev.kickoff.bench.cost;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** What the AWS clients asked for while a ledger was open, by service and operation. */
public final class Ledger {
    /** One service operation: calls, billable requests (SQS 64 KB chunks), capacity units DynamoDB reported. */
    public record Line(long calls, long billableRequests, double capacityUnits, long messages, long failures) {
        Line plus(Line other) {
            return new Line(calls + other.calls, billableRequests + other.billableRequests,
                    capacityUnits + other.capacityUnits, messages + other.messages, failures + other.failures);
        }
    }

    private final Map<String, Line> lines = new ConcurrentHashMap<>();

    void book(String service, String operation, long billable, double units, long messages, boolean failed) {
        lines.merge(service + ":" + operation, new Line(1, billable, units, messages, failed ? 1 : 0), Line::plus);
    }

    void add(String service, String operation, Line line) {
        lines.merge(service + ":" + operation, line, Line::plus);
    }

    /** Lines keyed {@code Service:Operation} (e.g. {@code DynamoDb:PutItem}, {@code Sqs:SendMessage}), sorted. */
    public Map<String, Line> lines() {
        return new TreeMap<>(lines);
    }

    public Line line(String service, String operation) {
        return lines.getOrDefault(service + ":" + operation, new Line(0, 0, 0, 0, 0));
    }

    public long calls(String service) {
        return lines.entrySet().stream().filter(e -> e.getKey().startsWith(service + ":"))
                .mapToLong(e -> e.getValue().calls()).sum();
    }
}
