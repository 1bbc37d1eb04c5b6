package dev.kickoff.core.engine;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The step types a deployment knows. Definitions naming any other type are refused when saved. */
public final class StepRegistry {
    private final Map<String, StepType> types = new LinkedHashMap<>();

    public StepRegistry(Collection<? extends StepType> stepTypes) {
        for (StepType type : stepTypes) {
            if (types.putIfAbsent(type.name(), type) != null) {
                throw new IllegalArgumentException("step type registered twice: " + type.name());
            }
        }
    }

    /** The built-in step types. */
    public static StepRegistry standard() {
        return new StepRegistry(java.util.List.of(new TransformStep(), new FailStep(), new SetCaseStep(), new DelayStep(),
                new WaitForSignalStep()));
    }

    /** A registry with these types added to this one's; used by deployments (and tests) that bring more types. */
    public StepRegistry with(Collection<? extends StepType> more) {
        var all = new java.util.ArrayList<StepType>(types.values());
        all.addAll(more);
        return new StepRegistry(all);
    }

    public Optional<StepType> find(String name) {
        return Optional.ofNullable(types.get(name));
    }

    public Collection<String> names() {
        return types.keySet();
    }
}
