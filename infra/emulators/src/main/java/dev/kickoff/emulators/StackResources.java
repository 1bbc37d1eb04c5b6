package dev.kickoff.emulators;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a template's resources became on the emulators: physical names, URLs and ARNs by logical ID. Resolves
 * {@code !Ref}, {@code !GetAtt} and {@code !Sub} the way CloudFormation would for these resource types.
 */
public final class StackResources {
    public record Queue(String name, String url, String arn) {
    }

    public record Table(String name, String streamArn) {
    }

    private final CloudFormationTemplate template;
    private final String stackName;
    private final String region;
    private final String accountId;
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private final Map<String, Queue> queues = new LinkedHashMap<>();
    private final Map<String, String> parameters = new LinkedHashMap<>();

    StackResources(CloudFormationTemplate template, String stackName, String region, String accountId) {
        this.template = template;
        this.stackName = stackName;
        this.region = region;
        this.accountId = accountId;
    }

    void table(String logicalId, Table table) {
        tables.put(logicalId, table);
    }

    void queue(String logicalId, Queue queue) {
        queues.put(logicalId, queue);
    }

    /** Overrides a parameter's default, as {@code sam deploy --parameter-overrides} would. */
    public StackResources parameter(String name, String value) {
        parameters.put(name, value);
        return this;
    }

    public CloudFormationTemplate template() {
        return template;
    }

    public String stackName() {
        return stackName;
    }

    public Table table(String logicalId) {
        Table t = tables.get(logicalId);
        if (t == null) {
            throw new IllegalArgumentException("no table " + logicalId + " in the stack");
        }
        return t;
    }

    public Queue queue(String logicalId) {
        Queue q = queues.get(logicalId);
        if (q == null) {
            throw new IllegalArgumentException("no queue " + logicalId + " in the stack");
        }
        return q;
    }

    public Map<String, Table> tables() {
        return Map.copyOf(tables);
    }

    public Map<String, Queue> queues() {
        return Map.copyOf(queues);
    }

    /** Resolves a template value to text; lists and maps are resolved element by element. */
    public Object resolve(Object value) {
        return switch (value) {
            case Intrinsic.Ref ref -> ref(ref.name());
            case Intrinsic.GetAtt att -> getAtt(att.resource(), att.attribute());
            case Intrinsic.Sub sub -> sub(sub.template());
            case Intrinsic.Other other -> throw new IllegalArgumentException(
                    "the emulators do not evaluate " + other.function());
            case List<?> list -> list.stream().map(this::resolve).toList();
            case Map<?, ?> map -> {
                Map<String, Object> out = new LinkedHashMap<>();
                map.forEach((k, v) -> out.put(String.valueOf(k), resolve(v)));
                yield out;
            }
            case null -> null;
            default -> value;
        };
    }

    public String text(Object value) {
        Object resolved = resolve(value);
        return resolved == null ? null : String.valueOf(resolved);
    }

    private String ref(String name) {
        if (parameters.containsKey(name)) {
            return parameters.get(name);
        }
        if (template.hasParameter(name)) {
            return template.parameterDefault(name);
        }
        switch (name) {
            case "AWS::Region" -> {
                return region;
            }
            case "AWS::AccountId" -> {
                return accountId;
            }
            case "AWS::StackName" -> {
                return stackName;
            }
            case "AWS::URLSuffix" -> {
                return "amazonaws.com";
            }
            default -> {
            }
        }
        if (tables.containsKey(name)) {
            return tables.get(name).name();
        }
        if (queues.containsKey(name)) {
            return queues.get(name).url();
        }
        // Resources the emulators do not create (functions, APIs) resolve to their logical name.
        if (template.resources().containsKey(name)) {
            return stackName + "-" + name;
        }
        throw new IllegalArgumentException("!Ref to unknown name " + name);
    }

    private String getAtt(String resource, String attribute) {
        if (queues.containsKey(resource)) {
            Queue q = queues.get(resource);
            return switch (attribute) {
                case "Arn" -> q.arn();
                case "QueueName" -> q.name();
                case "QueueUrl" -> q.url();
                default -> throw new IllegalArgumentException("no attribute " + attribute + " on queue " + resource);
            };
        }
        if (tables.containsKey(resource)) {
            Table t = tables.get(resource);
            return switch (attribute) {
                case "Arn" -> "arn:aws:dynamodb:" + region + ":" + accountId + ":table/" + t.name();
                case "StreamArn" -> t.streamArn();
                default -> throw new IllegalArgumentException("no attribute " + attribute + " on table " + resource);
            };
        }
        return stackName + "-" + resource + "." + attribute;
    }

    private static final Pattern SUB = Pattern.compile("\\$\\{([^}!][^}]*)}");

    private String sub(String text) {
        Matcher m = SUB.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            int dot = name.indexOf('.');
            String value = dot > 0 && !name.startsWith("AWS::") ? getAtt(name.substring(0, dot), name.substring(dot + 1))
                    : ref(name);
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
