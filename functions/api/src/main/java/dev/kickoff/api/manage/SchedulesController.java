package dev.kickoff.api.manage;

import dev.kickoff.api.http.Caller;
import dev.kickoff.api.http.Ids;
import dev.kickoff.api.http.JsonBody;
import dev.kickoff.api.http.JsonResponses;
import dev.kickoff.bootstrap.LogContext;
import dev.kickoff.core.auth.Permission;
import dev.kickoff.core.auth.Principal;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.schedule.Schedule;
import dev.kickoff.core.schedule.ScheduleService;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;

/**
 * A workflow's managed schedules: {@code POST/GET /api/manage/v1/workflows/{id}/schedules},
 * {@code GET/PATCH/DELETE …/schedules/{schedule_id}}. Each fires the workflow's published version on an EventBridge
 * expression (cron, rate or at) in a time zone; see README, "Schedules".
 */
@Controller("/api/manage/v1/workflows")
public class SchedulesController {
    private static final String BODY = "the request body must be a JSON object: {\"expression\": \"cron(0 9 ? * MON-FRI *)\","
            + " \"timezone\": \"Europe/Berlin\", \"input\": {…}}";

    private final ScheduleService schedules;

    public SchedulesController(ScheduleService schedules) {
        this.schedules = schedules;
    }

    @Post("/{workflowId}/schedules")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> create(@Caller(Permission.SCHEDULES_WRITE) Principal principal,
                                       @PathVariable String workflowId, JsonBody body) {
        long wf = workflow(workflowId);
        Schedule created = schedules.create(principal.orgId(), wf, required(body).fields());
        return JsonResponses.created(schedules.json(created))
                .header("Location", "/api/manage/v1/workflows/" + wf + "/schedules/" + created.id());
    }

    @Get("/{workflowId}/schedules")
    public HttpResponse<String> list(@Caller(Permission.SCHEDULES_READ) Principal principal,
                                     @PathVariable String workflowId) {
        return JsonResponses.ok(schedules.json(schedules.list(principal.orgId(), workflow(workflowId))));
    }

    @Get("/{workflowId}/schedules/{scheduleId}")
    public HttpResponse<String> get(@Caller(Permission.SCHEDULES_READ) Principal principal,
                                    @PathVariable String workflowId, @PathVariable String scheduleId) {
        return JsonResponses.ok(schedules.json(schedules.get(principal.orgId(), workflow(workflowId),
                Ids.parse(scheduleId))));
    }

    /** Pause ({@code "status": "paused"}), resume, or change the expression, time zone, input or description. */
    @Patch("/{workflowId}/schedules/{scheduleId}")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> update(@Caller(Permission.SCHEDULES_WRITE) Principal principal,
                                       @PathVariable String workflowId, @PathVariable String scheduleId,
                                       JsonBody body) {
        return JsonResponses.ok(schedules.json(schedules.update(principal.orgId(), workflow(workflowId),
                Ids.parse(scheduleId), required(body).fields())));
    }

    @Delete("/{workflowId}/schedules/{scheduleId}")
    @Consumes(MediaType.ALL)
    public HttpResponse<String> delete(@Caller(Permission.SCHEDULES_WRITE) Principal principal,
                                       @PathVariable String workflowId, @PathVariable String scheduleId) {
        schedules.delete(principal.orgId(), workflow(workflowId), Ids.parse(scheduleId));
        return HttpResponse.noContent();
    }

    private static long workflow(String text) {
        long id = Ids.parse(text);
        LogContext.put(LogContext.WORKFLOW_ID, Math.max(0, id));
        return id;
    }

    private static JsonBody required(JsonBody body) {
        if (!body.present()) {
            throw new KickoffException(Reason.INVALID_REQUEST, BODY);
        }
        return body;
    }
}
