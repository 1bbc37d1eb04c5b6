package dev.kickoff.core.usage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kickoff.core.error.KickoffException;
import dev.kickoff.core.error.Reason;
import dev.kickoff.core.json.Json;
import dev.kickoff.core.port.UsageStore;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The management API's usage report: an organization's metered runs, step executions, step time, outbound requests
 * and cost for a month ({@code ?month=2026-12}, the current one by default) or a day ({@code ?day=2026-12-24}), in
 * total and per workflow, and for a month per day too (runs by how they finished, for the dashboard's chart). Months
 * and days are UTC; a run counts in the day it finished (a retry's second finish in the day of that finish). Read
 * from the sharded counters (eventually consistent: a run that finished a moment ago may take a moment to count).
 */
public final class UsageService {
    private static final Pattern MONTH = Pattern.compile("\\d{4}-\\d{2}");
    private static final Pattern DAY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    private final UsageStore usage;
    private final BillingSettings billing;
    private final Clock clock;

    public UsageService(UsageStore usage, BillingSettings billing, Clock clock) {
        this.usage = usage;
        this.billing = billing;
        this.clock = clock;
    }

    /** {@code {"usage": {…}}} for {@code month} or {@code day} (at most one; neither: this month). */
    public ObjectNode report(long orgId, String month, String day) {
        if (month != null && day != null) {
            throw new KickoffException(Reason.INVALID_REQUEST, "give month or day, not both");
        }
        YearMonth ym;
        LocalDate date = null;
        try {
            if (day != null) {
                if (!DAY.matcher(day).matches()) {
                    throw new DateTimeParseException("", day, 0);
                }
                date = LocalDate.parse(day);
                ym = YearMonth.from(date);
            } else if (month != null) {
                if (!MONTH.matcher(month).matches()) {
                    throw new DateTimeParseException("", month, 0);
                }
                ym = YearMonth.parse(month);
            } else {
                ym = YearMonth.from(clock.instant().atZone(ZoneOffset.UTC));
            }
        } catch (DateTimeParseException e) {
            throw new KickoffException(Reason.INVALID_REQUEST, day != null
                    ? "day must be a date, yyyy-mm-dd (e.g. 2026-12-24)" : "month must be yyyy-mm (e.g. 2026-12)");
        }
        UsageStore.Counters read = usage.report(orgId, ym, date == null ? null : date.getDayOfMonth());
        List<UsageStore.Counter> counters = read.byWorkflow();
        ObjectNode body = Json.object();
        body.put("month", ym.toString());
        if (date != null) {
            body.put("day", date.toString());
        }
        long runs = 0;
        long steps = 0;
        long ms = 0;
        long outbound = 0;
        BigDecimal cost = BigDecimal.ZERO;
        for (UsageStore.Counter c : counters) {
            runs += c.runs();
            steps += c.stepExecutions();
            ms += c.stepMs();
            outbound += c.outboundRequests();
            cost = cost.add(c.costCents());
        }
        body.put("runs", runs);
        body.put("step_executions", steps);
        body.put("step_ms", ms);
        body.put("outbound_requests", outbound);
        body.put("cost_cents", PriceList.plain(cost));
        ArrayNode by = body.putArray("by_workflow");
        counters.stream().sorted(Comparator.comparing(UsageStore.Counter::costCents).reversed()
                .thenComparing(UsageStore.Counter::workflowId)).forEach(c -> {
            ObjectNode w = by.addObject();
            w.put("workflow_id", c.workflowId());
            w.put("runs", c.runs());
            w.put("step_executions", c.stepExecutions());
            w.put("step_ms", c.stepMs());
            w.put("outbound_requests", c.outboundRequests());
            w.put("cost_cents", PriceList.plain(c.costCents()));
        });
        if (date == null) {
            days(body.putArray("days"), ym, read.byDay());
            Long quota = billing.monthlyRunQuota(orgId);
            if (quota == null) {
                body.putNull("monthly_run_quota");
            } else {
                body.put("monthly_run_quota", quota);
            }
        }
        body.set("prices", billing.prices(orgId).toJson());
        ObjectNode out = Json.object();
        out.set("usage", body);
        return out;
    }

    /** Every day of the month, oldest first, zeros where nothing was metered: what the dashboard's chart draws. */
    private static void days(ArrayNode out, YearMonth month, List<UsageStore.DayCounter> counted) {
        Map<Integer, UsageStore.DayCounter> byDay = new HashMap<>();
        counted.forEach(d -> byDay.put(d.day(), d));
        for (int d = 1; d <= month.lengthOfMonth(); d++) {
            UsageStore.DayCounter c = byDay.get(d);
            ObjectNode day = out.addObject();
            day.put("day", month.atDay(d).toString());
            day.put("runs", c == null ? 0 : c.runs());
            day.put("completed", c == null ? 0 : c.completed());
            day.put("failed", c == null ? 0 : c.failed());
            day.put("cost_cents", PriceList.plain(c == null ? BigDecimal.ZERO : c.costCents()));
        }
    }
}
