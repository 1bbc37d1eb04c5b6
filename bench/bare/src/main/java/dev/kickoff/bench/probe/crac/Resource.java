package dev.kickoff.bench.probe.crac;

/** Mirrors {@code jdk.crac.Resource}: what org.crac's compatibility layer forwards registrations to. */
public interface Resource {
    void beforeCheckpoint(Context<? extends Resource> context) throws Exception;

    void afterRestore(Context<? extends Resource> context) throws Exception;
}
