package dev.kickoff.emulators;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A SAM/CloudFormation template, read as plain maps with intrinsic functions kept as {@link Intrinsic} values.
 * Only reads; it is the emulators' view of {@code template.yaml}, the project's one source of truth.
 */
public final class CloudFormationTemplate {
    private final Map<String, Object> root;

    private CloudFormationTemplate(Map<String, Object> root) {
        this.root = root;
    }

    public static CloudFormationTemplate load(Path path) {
        try {
            return parse(Files.readString(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /**
     * The project's template: {@code -Dkickoff.template}, else {@code template.yaml} in this directory or the
     * nearest parent that has one (so tests run from a module directory find the root template).
     */
    public static Path locate() {
        String configured = System.getProperty("kickoff.template");
        if (configured != null && Files.isRegularFile(Path.of(configured))) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("template.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("template.yaml not found from " + Path.of("").toAbsolutePath()
                + " upwards; set -Dkickoff.template");
    }

    @SuppressWarnings("unchecked")
    public static CloudFormationTemplate parse(String yaml) {
        Object loaded = new Yaml(new CfnConstructor()).load(yaml);
        if (!(loaded instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("a template is a YAML mapping");
        }
        return new CloudFormationTemplate((Map<String, Object>) map);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> resources() {
        return (Map<String, Object>) root.getOrDefault("Resources", Map.of());
    }

    /** Logical IDs of resources of {@code type}, in template order. */
    public List<String> logicalIds(String type) {
        List<String> ids = new ArrayList<>();
        resources().forEach((id, r) -> {
            if (r instanceof Map<?, ?> m && type.equals(m.get("Type"))) {
                ids.add(id);
            }
        });
        return ids;
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> properties(String logicalId) {
        Object resource = resources().get(logicalId);
        if (!(resource instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("no resource " + logicalId);
        }
        return (Map<String, Object>) ((Map<String, Object>) m).getOrDefault("Properties", Map.of());
    }

    public String type(String logicalId) {
        Object resource = resources().get(logicalId);
        return resource instanceof Map<?, ?> m ? (String) m.get("Type") : null;
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> globals(String section) {
        Map<String, Object> globals = (Map<String, Object>) root.getOrDefault("Globals", Map.of());
        return (Map<String, Object>) globals.getOrDefault(section, Map.of());
    }

    /** A parameter's default value as text, or null. */
    @SuppressWarnings("unchecked")
    public String parameterDefault(String name) {
        Map<String, Object> parameters = (Map<String, Object>) root.getOrDefault("Parameters", Map.of());
        Object p = parameters.get(name);
        if (p instanceof Map<?, ?> m && m.get("Default") != null) {
            return String.valueOf(m.get("Default"));
        }
        return null;
    }

    public boolean hasParameter(String name) {
        Object parameters = root.get("Parameters");
        return parameters instanceof Map<?, ?> m && m.containsKey(name);
    }

    /**
     * Reads {@code !Ref}, {@code !GetAtt}, {@code !Sub} and the other short-form tags as {@link Intrinsic}s.
     * (Long-form {@code {"Ref": ...}} maps stay maps; this project's template uses the short forms.)
     */
    private static final class CfnConstructor extends SafeConstructor {
        CfnConstructor() {
            super(new LoaderOptions());
            for (String name : List.of("Ref", "GetAtt", "Sub", "Join", "Select", "Split", "If", "Equals", "Not",
                    "And", "Or", "FindInMap", "ImportValue", "GetAZs", "Base64", "Cidr", "Condition", "ToJsonString",
                    "Length")) {
                String function = name.equals("Ref") || name.equals("Condition") ? name : "Fn::" + name;
                this.yamlConstructors.put(new Tag("!" + name), new AbstractConstruct() {
                    @Override
                    public Object construct(Node node) {
                        Object argument = switch (node) {
                            case ScalarNode s -> s.getValue();
                            case SequenceNode s -> constructSequence(s);
                            case MappingNode m -> constructMapping(m);
                            default -> null;
                        };
                        return Intrinsic.of(function, argument);
                    }
                });
            }
        }
    }
}
