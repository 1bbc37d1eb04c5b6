package dev.kickoff.api.manage;

import dev.kickoff.api.http.Caller;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.usage.UsageService;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;

/**
 * The organization's metered usage: {@code GET /api/manage/v1/usage?month=2026-12} (the current month by default) or
 * {@code ?day=2026-12-24} answers {@code {"usage": {"month", "runs", "step_executions", "step_ms",
 * "outbound_requests", "cost_cents", "by_workflow": […]}}} (README, "Usage and pricing").
 */
@Controller("/api/manage/v1/usage")
public class UsageController {
    private final UsageService usage;

    public UsageController(UsageService usage) {
        this.usage = usage;
    }

    @Get
    public HttpResponse<String> report(@Caller(Permission.USAGE_READ) Principal principal,
                                       @Nullable @QueryValue String month, @Nullable @QueryValue String day,
                                       HttpRequest<?> request) {
        if (request.getParameters().getAll("month").size() > 1 || request.getParameters().getAll("day").size() > 1) {
            throw new KickoffException(Reason.INVALID_REQUEST, "give one month or one day");
        }
        return JsonResponses.ok(usage.report(principal.orgId(), month, day));
    }
}
