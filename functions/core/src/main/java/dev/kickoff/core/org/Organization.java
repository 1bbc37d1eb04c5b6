package dev.kickoff.core.org;

import java.time.Instant;

/**
 * A customer organization: the unit of isolation. Everything else (tokens, workflows, runs, cases) belongs to
 * exactly one, and another organization's resources are indistinguishable from resources that do not exist.
 */
public record Organization(long id, String name, Instant createdAt) {
}
