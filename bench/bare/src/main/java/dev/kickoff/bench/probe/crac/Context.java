package dev.kickoff.bench.probe.crac;

/** Mirrors {@code jdk.crac.Context}. */
public abstract class Context<R extends Resource> implements Resource {
    protected Context() {
    }

    public abstract void register(R resource);
}
