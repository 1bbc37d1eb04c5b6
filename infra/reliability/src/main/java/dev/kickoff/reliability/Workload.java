package dev.kickoff.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A seeded mix of requests over every shape (runs of several workflows, cases with {@code set_case} steps, some with
 * idempotency keys), and what became of each: the answers it got, whether a run or case was accepted, when it was
 * seen finished. The same seed makes the same jobs, so a failing figure can be replayed.
 */
final class Workload {
    /**
     * One request of the workload.
     *
     * @param tag       unique, in the input: how the suite finds the run a request made even when it got no answer
     * @param key       an idempotency key (retried with the same key when a request got no answer), or null
     * @param keyInBody seed 003's {@code idempotencyKey} body field instead of the header
     * @param token     which of the organization's API tokens sends it
     */
    record Job(int index, String tag, Shape shape, Workflows.Kind kind, long workflowId, ObjectNode input, String key,
               boolean keyInBody, int token) {
        boolean isCase() {
            return shape == Shape.CASE;
        }
    }

    /** What happened to one job (updated by the submitting and polling threads). */
    static final class Outcome {
        final Job job;
        final List<Http.Answer> answers = Collections.synchronizedList(new ArrayList<>());
        volatile Long id;
        volatile long acceptedAt;
        volatile long lastAttemptAt;
        volatile long terminalAt;
        volatile String observedStatus;
        volatile boolean refused;

        Outcome(Job job) {
            this.job = job;
        }

        boolean accepted() {
            return id != null;
        }

        boolean terminal() {
            return terminalAt != 0;
        }

        /** No 2xx and no 4xx: every attempt went unanswered or answered 5xx. */
        boolean failed() {
            return !accepted() && !refused;
        }

        Http.Answer last() {
            synchronized (answers) {
                return answers.isEmpty() ? null : answers.getLast();
            }
        }
    }

    private Workload() {
    }

    /**
     * @param kinds     the run kinds to draw from (a case job always uses {@link Workflows.Kind#CASE_FLOW})
     * @param keyShare  the share of run jobs that carry an idempotency key
     * @param caseShare the share of jobs that create a case
     */
    static List<Job> jobs(String prefix, int count, Workflows.Set set, long seed, List<Workflows.Kind> kinds,
                          double keyShare, double caseShare, int tokens) {
        Random random = new Random(seed);
        List<Shape> runShapes = List.of(Shape.CANONICAL, Shape.V1, Shape.WORKSPACE, Shape.MINIMAL);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String tag = prefix + "-" + i;
            boolean isCase = set.id(Workflows.Kind.CASE_FLOW) != null && random.nextDouble() < caseShare;
            Shape shape = isCase ? Shape.CASE : runShapes.get(random.nextInt(runShapes.size()));
            Workflows.Kind kind = isCase ? Workflows.Kind.CASE_FLOW : kinds.get(random.nextInt(kinds.size()));
            ObjectNode input = Workflows.input(kind, tag, random);
            String key = !isCase && random.nextDouble() < keyShare ? "key-" + tag : null;
            boolean keyInBody = key != null && shape == Shape.V1 && random.nextBoolean();
            jobs.add(new Job(i, tag, shape, kind, set.id(kind), input, key, keyInBody, random.nextInt(Math.max(1, tokens))));
        }
        return jobs;
    }

    /** The run kinds of a set that exist (the case flow excluded: it is requested as a case). */
    static List<Workflows.Kind> runKinds(Workflows.Set set) {
        List<Workflows.Kind> kinds = new ArrayList<>();
        for (Workflows.Kind k : Workflows.Kind.values()) {
            if (k != Workflows.Kind.CASE_FLOW && set.id(k) != null) {
                kinds.add(k);
            }
        }
        return kinds;
    }

    /**
     * Sends a job once and records the answer. A keyed job that got no answer (or a 5xx, or 409 CONFLICT: the key is
     * mid-creation) is retried with the same key, as a client should, up to {@code retries} times, each after
     * {@code pause} has let the stack come back; an unkeyed one is not (the client cannot know whether it was taken).
     */
    static void submit(Outcome o, Http http, long org, List<String> tokens, int retries, Supplier<Boolean> pause) {
        Job job = o.job;
        for (int attempt = 0; attempt <= retries; attempt++) {
            o.lastAttemptAt = System.nanoTime();
            Http.Answer a = job.shape().send(http, org, job.workflowId(), tokens.get(job.token()), job.input(), job.tag(),
                    job.key(), job.keyInBody());
            o.answers.add(a);
            if (a.ok()) {
                o.id = job.shape().id(a.json());
                o.acceptedAt = System.nanoTime();
                return;
            }
            boolean retryable = a.status() < 0 || a.status() >= 500 || keyInProgress(a);
            if (!retryable) {
                o.refused = true;
                return;
            }
            if (job.key() == null || attempt == retries || !pause.get()) {
                return;
            }
        }
    }

    /**
     * A 409 saying the key's first request is still being processed (its lock outlives a killed stack until it
     * expires): a client retries it. Seed 002's shape says so in {@code detail} only, without a {@code CONFLICT} code
     * (seed 407364 counted two such answers as refusals). A key reused with another body is not retried.
     */
    static boolean keyInProgress(Http.Answer a) {
        String body = a.body();
        return a.status() == 409 && body != null && (body.contains("CONFLICT") || body.contains("being processed"))
                && !body.contains("REUSED") && !body.contains("reused");
    }

    /** The path a run or case is read at (seed 000's run GET for any run: one renderer serves every shape). */
    static String readPath(Outcome o) {
        Job job = o.job;
        return job.isCase() ? "/api/external/v1/workflows/" + job.workflowId() + "/cases/" + o.id
                : "/api/external/v1/workflows/" + job.workflowId() + "/runs/" + o.id;
    }

    /**
     * Polls every accepted, unfinished job until each is finished or the deadline passes; records when each was first
     * seen finished. A case is finished when its status is {@code Closed} or {@code Error}.
     */
    static void awaitTerminal(List<Outcome> outcomes, Http http, String token, Duration deadline) {
        long limit = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < limit) {
            boolean pending = false;
            for (Outcome o : outcomes) {
                if (o.accepted() && !o.terminal()) {
                    poll(o, http, token);
                    pending |= !o.terminal();
                }
            }
            if (!pending && outcomes.stream().noneMatch(o -> o.accepted() && !o.terminal())) {
                return;
            }
            sleep(300);
        }
    }

    static void poll(Outcome o, Http http, String token) {
        Http.Answer a = http.send("GET", readPath(o), token, null);
        if (!a.ok()) {
            return;
        }
        JsonNode json = a.json();
        String status = o.job.isCase() ? json.path("case").path("status").asText() : json.path("workflow_run").path("status").asText();
        o.observedStatus = status;
        boolean done = o.job.isCase() ? status.equals("Closed") || status.equals("Error")
                : status.equals("completed") || status.equals("failed");
        if (done && o.terminalAt == 0) {
            o.terminalAt = System.nanoTime();
        }
    }

    /** Checks every job against its oracle in the table; returns the problems (empty: all as expected). */
    static Verification verify(List<Outcome> outcomes, Table table) {
        Map<String, List<Table.RunRow>> runsByTag = new HashMap<>();
        for (Table.RunRow r : table.runs()) {
            if (r.tag() != null) {
                runsByTag.computeIfAbsent(r.tag(), k -> new ArrayList<>()).add(r);
            }
        }
        Map<String, List<Table.CaseRow>> casesByTag = new HashMap<>();
        Map<Long, Table.RunRow> runsById = new HashMap<>();
        runsByTag.values().forEach(l -> l.forEach(r -> runsById.put(r.runId(), r)));
        for (Table.CaseRow c : table.cases()) {
            if (c.tag() != null) {
                casesByTag.computeIfAbsent(c.tag(), k -> new ArrayList<>()).add(c);
            }
        }
        Verification v = new Verification();
        for (Outcome o : outcomes) {
            Job job = o.job;
            if (job.isCase()) {
                List<Table.CaseRow> cases = casesByTag.getOrDefault(job.tag(), List.of());
                if (cases.size() > 1) {
                    v.duplicates.add(job.tag() + ": " + cases.size() + " cases");
                }
                if (o.accepted()) {
                    Table.CaseRow c = cases.stream().filter(x -> x.caseId() == o.id).findFirst().orElse(null);
                    if (c == null) {
                        v.lost.add(job.tag() + ": case " + o.id + " accepted but not stored");
                        continue;
                    }
                    checkCase(v, job, c, runsById.get(c.runId()));
                } else if (o.failed()) {
                    v.failedRequests++;
                    for (Table.CaseRow c : cases) {
                        v.failedButCreated++;
                        checkCase(v, job, c, runsById.get(c.runId()));
                    }
                } else if (!cases.isEmpty()) {
                    v.refusedButCreated.add(job.tag() + ": refused " + o.last() + " but case " + cases.getFirst().caseId());
                }
                continue;
            }
            List<Table.RunRow> runs = runsByTag.getOrDefault(job.tag(), List.of());
            if (runs.size() > 1) {
                v.duplicates.add(job.tag() + ": " + runs.size() + " runs " + runs.stream().map(Table.RunRow::runId).toList()
                        + (job.key() == null ? " (no key)" : " (key " + job.key() + ")"));
            }
            if (o.accepted()) {
                Table.RunRow run = runs.stream().filter(r -> r.runId() == o.id).findFirst().orElse(null);
                if (run == null) {
                    v.lost.add(job.tag() + ": run " + o.id + " answered " + job.shape().success() + " but not stored");
                    continue;
                }
                checkRun(v, job, run);
            } else if (o.failed()) {
                v.failedRequests++;
                for (Table.RunRow run : runs) {
                    v.failedButCreated++;
                    checkRun(v, job, run);
                }
            } else if (!runs.isEmpty()) {
                v.refusedButCreated.add(job.tag() + ": refused " + o.last() + " but run " + runs.getFirst().runId());
            }
        }
        return v;
    }

    private static void checkRun(Verification v, Job job, Table.RunRow run) {
        if (!run.terminal()) {
            v.stuck.add(job.tag() + ": run " + run.runId() + " still " + run.status());
            return;
        }
        Workflows.Expected e = Workflows.expected(job.kind(), job.input());
        if (!e.status().equals(run.status()) || !Workflows.same(e.output(), run.output())
                || (e.error() != null && (run.error() == null || !run.error().contains(e.error())))) {
            v.wrong.add(job.tag() + ": run " + run.runId() + " " + run.status() + " output " + run.output() + " error "
                    + run.error() + "; expected " + e.status() + " " + (e.output() != null ? e.output() : e.error()));
        }
    }

    private static void checkCase(Verification v, Job job, Table.CaseRow c, Table.RunRow run) {
        if (run == null || !run.terminal()) {
            v.stuck.add(job.tag() + ": case " + c.caseId() + " in " + c.status() + ", its run "
                    + (run == null ? "missing" : run.runId() + " still " + run.status()));
            return;
        }
        ObjectNode expected = Workflows.expectedAttributes(job.input());
        if (!"Closed".equals(c.status()) || !"completed".equals(run.status()) || !Workflows.same(expected, c.attributes())) {
            v.wrong.add(job.tag() + ": case " + c.caseId() + " " + c.status() + " " + c.attributes() + ", run "
                    + run.status() + " " + run.error() + "; expected Closed " + expected);
        }
    }

    /** What the table says of a workload. */
    static final class Verification {
        final List<String> lost = new ArrayList<>();
        final List<String> stuck = new ArrayList<>();
        final List<String> wrong = new ArrayList<>();
        final List<String> duplicates = new ArrayList<>();
        final List<String> refusedButCreated = new ArrayList<>();
        int failedRequests;
        int failedButCreated;
    }

    /** A fresh outcome per job. */
    static List<Outcome> outcomes(List<Job> jobs) {
        List<Outcome> out = new ArrayList<>();
        jobs.forEach(j -> out.add(new Outcome(j)));
        return out;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
