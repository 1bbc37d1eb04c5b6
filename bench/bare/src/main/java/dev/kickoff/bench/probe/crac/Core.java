package dev.kickoff.bench.probe.crac;

import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for a CRaC JVM's {@code jdk.crac.Core}, for the cold-start probe: started with
 * {@code -Dorg.crac.Core.Compat=dev.kickoff.bench.probe.crac}, org.crac sends every {@code register} here, and
 * {@link #checkpointRestore()} runs what Lambda SnapStart runs before it snapshots a function (every registered
 * resource's {@code beforeCheckpoint}, last registered first) and after it restores one ({@code afterRestore},
 * in registration order) — without the snapshot itself, which no JVM here can take.
 */
public final class Core {
    private static final Global GLOBAL = new Global();

    private Core() {
    }

    public static Context<Resource> getGlobalContext() {
        return GLOBAL;
    }

    /** Like a CRaC JVM: every hook runs even if one fails; failures come back together, as suppressed causes. */
    public static void checkpointRestore() throws CheckpointException, RestoreException {
        List<Resource> resources;
        synchronized (GLOBAL) {
            resources = new ArrayList<>(GLOBAL.resources);
        }
        CheckpointException checkpoint = new CheckpointException();
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).beforeCheckpoint(GLOBAL);
            } catch (Exception | LinkageError e) {
                checkpoint.addSuppressed(e);
            }
        }
        if (checkpoint.getSuppressed().length > 0) {
            throw checkpoint;
        }
        RestoreException restore = new RestoreException();
        for (Resource r : resources) {
            try {
                r.afterRestore(GLOBAL);
            } catch (Exception | LinkageError e) {
                restore.addSuppressed(e);
            }
        }
        if (restore.getSuppressed().length > 0) {
            throw restore;
        }
    }

    private static final class Global extends Context<Resource> {
        private final List<Resource> resources = new ArrayList<>();

        @Override
        public synchronized void register(Resource resource) {
            resources.add(resource);  // strong references, unlike a real CRaC context: the probe is short-lived
        }

        @Override
        public void beforeCheckpoint(Context<? extends Resource> context) {
        }

        @Override
        public void afterRestore(Context<? extends Resource> context) {
        }
    }
}
