package dev.kickoff.emulators;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code AWS::Serverless::Function} with its Globals applied and its environment resolved against the
 * provisioned resources: what the local stack needs to construct and invoke the handler as Lambda would.
 */
public record FunctionSpec(
        String logicalId,
        String handlerClass,
        String handlerMethod,
        String codeUri,
        int timeoutSeconds,
        int memorySize,
        Map<String, String> environment,
        List<EventSource> events) {

    public static List<FunctionSpec> all(StackResources resources) {
        CloudFormationTemplate template = resources.template();
        List<FunctionSpec> specs = new ArrayList<>();
        for (String id : template.logicalIds("AWS::Serverless::Function")) {
            specs.add(of(id, resources));
        }
        return specs;
    }

    public static FunctionSpec of(String logicalId, StackResources resources) {
        CloudFormationTemplate template = resources.template();
        Map<String, Object> globals = template.globals("Function");
        Map<String, Object> props = template.properties(logicalId);

        Map<String, String> env = new LinkedHashMap<>();
        variables(globals, resources, env);
        variables(props, resources, env);

        String handler = resources.text(props.get("Handler"));
        int sep = handler.indexOf("::");
        String handlerClass = sep < 0 ? handler : handler.substring(0, sep);
        String handlerMethod = sep < 0 ? "handleRequest" : handler.substring(sep + 2);

        int timeout = Integer.parseInt(resources.text(props.getOrDefault("Timeout", globals.getOrDefault("Timeout", 3))));
        int memory = Integer.parseInt(resources.text(props.getOrDefault("MemorySize",
                globals.getOrDefault("MemorySize", 128))));

        List<EventSource> events = new ArrayList<>();
        if (props.get("Events") instanceof Map<?, ?> declared) {
            declared.forEach((name, e) -> events.add(event(String.valueOf(name), (Map<?, ?>) e, resources)));
        }
        return new FunctionSpec(logicalId, handlerClass, handlerMethod, resources.text(props.get("CodeUri")), timeout,
                memory, Map.copyOf(env), List.copyOf(events));
    }

    private static void variables(Map<String, Object> section, StackResources resources, Map<String, String> env) {
        if (section.get("Environment") instanceof Map<?, ?> environment
                && environment.get("Variables") instanceof Map<?, ?> variables) {
            variables.forEach((k, v) -> env.put(String.valueOf(k), resources.text(v)));
        }
    }

    private static EventSource event(String name, Map<?, ?> event, StackResources resources) {
        String type = String.valueOf(event.get("Type"));
        Map<?, ?> p = event.get("Properties") instanceof Map<?, ?> m ? m : Map.of();
        return switch (type) {
            case "SQS" -> new EventSource.Sqs(name, logicalId(p.get("Queue")), intOf(p, "BatchSize", 10, resources),
                    intOf(p, "MaximumBatchingWindowInSeconds", 0, resources),
                    listOf(p.get("FunctionResponseTypes")).contains("ReportBatchItemFailures"),
                    p.get("ScalingConfig") instanceof Map<?, ?> scaling ? intOf(scaling, "MaximumConcurrency", 0, resources) : 0);
            case "DynamoDB" -> new EventSource.DynamoDbStream(name, logicalId(p.get("Stream")),
                    intOf(p, "BatchSize", 100, resources), resources.text(p.get("StartingPosition")),
                    intOf(p, "MaximumBatchingWindowInSeconds", 0, resources), patterns(p.get("FilterCriteria")),
                    listOf(p.get("FunctionResponseTypes")).contains("ReportBatchItemFailures"),
                    Boolean.parseBoolean(String.valueOf(p.get("BisectBatchOnFunctionError"))),
                    intOf(p, "MaximumRetryAttempts", -1, resources));
            case "HttpApi", "Api" -> new EventSource.HttpApi(name, resources.text(p.get("Path")),
                    resources.text(p.get("Method")));
            case "Schedule", "ScheduleV2" -> new EventSource.Schedule(name,
                    resources.text(p.get("Schedule") != null ? p.get("Schedule") : p.get("ScheduleExpression")),
                    p.get("Input") == null ? null : resources.text(p.get("Input")), copy(p));
            default -> throw new IllegalArgumentException("event source type " + type + " is not emulated");
        };
    }

    /** The logical ID an event source points at ({@code !GetAtt RunsQueue.Arn} names {@code RunsQueue}). */
    private static String logicalId(Object value) {
        return switch (value) {
            case Intrinsic.GetAtt att -> att.resource();
            case Intrinsic.Ref ref -> ref.name();
            default -> throw new IllegalArgumentException("event source must reference a resource: " + value);
        };
    }

    private static int intOf(Map<?, ?> p, String key, int fallback, StackResources resources) {
        Object v = p.get(key);
        return v == null ? fallback : Integer.parseInt(resources.text(v));
    }

    private static List<String> listOf(Object value) {
        return value instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
    }

    private static List<String> patterns(Object criteria) {
        List<String> out = new ArrayList<>();
        if (criteria instanceof Map<?, ?> c && c.get("Filters") instanceof List<?> filters) {
            for (Object f : filters) {
                if (f instanceof Map<?, ?> filter && filter.get("Pattern") != null) {
                    out.add(String.valueOf(filter.get("Pattern")));
                }
            }
        }
        return out;
    }

    private static Map<String, Object> copy(Map<?, ?> p) {
        Map<String, Object> out = new LinkedHashMap<>();
        p.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    public <T extends EventSource> List<T> events(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
