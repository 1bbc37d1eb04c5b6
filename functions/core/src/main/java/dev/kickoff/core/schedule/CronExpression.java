package dev.kickoff.core.schedule;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneRules;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * EventBridge's cron: six fields, {@code minutes hours day-of-month month day-of-week year}, evaluated in a time zone
 * the way EventBridge Scheduler does. Parsed here rather than by a general cron library so that the rules are
 * EventBridge's exactly and the daylight saving time behaviour is ours to state:
 * <ul>
 *   <li>minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT (1 is
 *       Sunday), year 1970-2199; each a list ({@code ,}) of values, ranges ({@code -}, wrapping for all but the
 *       year: {@code FRI-MON}), {@code *} and increments ({@code 0/15}, {@code *}{@code /5}, {@code 10-40/10});</li>
 *   <li>one of day-of-month and day-of-week is {@code ?}, the other is not;</li>
 *   <li>day-of-month also takes {@code L} (the last day), {@code L-3} (three days before it), {@code LW} (the last
 *       weekday) and {@code 15W} (the weekday nearest the 15th, within the month); day-of-week takes {@code L}
 *       (Saturday, the last day of the week), {@code 6L} (the last Friday of the month) and {@code 3#2} (the second
 *       Tuesday);</li>
 *   <li>daylight saving time: a local time that does not exist (clocks spring forward over it) is skipped that day;
 *       a local time that occurs twice (clocks fall back) fires once, at its first occurrence.</li>
 * </ul>
 */
public final class CronExpression {
    static final int MIN_YEAR = 1970;
    static final int MAX_YEAR = 2199;
    private static final int SHIFT_MARGIN_HOURS = 3;
    private static final Map<String, Integer> MONTHS = names("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG",
            "SEP", "OCT", "NOV", "DEC");
    private static final Map<String, Integer> DAYS = names("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    private final String fields;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet months;
    private final BitSet years;
    private final DayRule dayOfMonth;
    private final DayRule dayOfWeek;

    /** Which days of a month a day field selects; {@code null} stands for {@code ?}. */
    private sealed interface DayRule {
        boolean matches(LocalDate date);
    }

    private record DaySet(BitSet days) implements DayRule {
        public boolean matches(LocalDate date) {
            return days.get(date.getDayOfMonth());
        }
    }

    private record WeekdaySet(BitSet days) implements DayRule {
        public boolean matches(LocalDate date) {
            return days.get(eventBridgeDay(date.getDayOfWeek()));
        }
    }

    /** {@code L} and {@code L-n}: n days before the month's last. */
    private record LastDay(int offset) implements DayRule {
        public boolean matches(LocalDate date) {
            return date.getDayOfMonth() == date.lengthOfMonth() - offset;
        }
    }

    /** {@code LW}: the month's last Monday-to-Friday. */
    private record LastWeekday() implements DayRule {
        public boolean matches(LocalDate date) {
            LocalDate last = date.withDayOfMonth(date.lengthOfMonth());
            while (last.getDayOfWeek() == DayOfWeek.SATURDAY || last.getDayOfWeek() == DayOfWeek.SUNDAY) {
                last = last.minusDays(1);
            }
            return date.equals(last);
        }
    }

    /** {@code nW}: the weekday nearest day n, never leaving the month; no day when the month is shorter than n. */
    private record NearestWeekday(int day) implements DayRule {
        public boolean matches(LocalDate date) {
            if (day > date.lengthOfMonth()) {
                return false;
            }
            LocalDate target = date.withDayOfMonth(day);
            if (target.getDayOfWeek() == DayOfWeek.SATURDAY) {
                target = day == 1 ? target.plusDays(2) : target.minusDays(1);
            } else if (target.getDayOfWeek() == DayOfWeek.SUNDAY) {
                target = day == date.lengthOfMonth() ? target.minusDays(2) : target.plusDays(1);
            }
            return date.equals(target);
        }
    }

    /** {@code nL}: the last day of the month that is weekday n. */
    private record LastOfWeekday(int weekday) implements DayRule {
        public boolean matches(LocalDate date) {
            return eventBridgeDay(date.getDayOfWeek()) == weekday && date.getDayOfMonth() + 7 > date.lengthOfMonth();
        }
    }

    /** {@code n#k}: the k-th weekday n of the month. */
    private record NthWeekday(int weekday, int nth) implements DayRule {
        public boolean matches(LocalDate date) {
            return eventBridgeDay(date.getDayOfWeek()) == weekday && (date.getDayOfMonth() - 1) / 7 + 1 == nth;
        }
    }

    private CronExpression(String fields, BitSet minutes, BitSet hours, DayRule dayOfMonth, BitSet months,
                           DayRule dayOfWeek, BitSet years) {
        this.fields = fields;
        this.minutes = minutes;
        this.hours = hours;
        this.dayOfMonth = dayOfMonth;
        this.months = months;
        this.dayOfWeek = dayOfWeek;
        this.years = years;
    }

    /** The six fields inside {@code cron(…)}; {@link IllegalArgumentException} says what is wrong, in EventBridge's terms. */
    public static CronExpression parse(String fields) {
        String text = fields == null ? "" : fields.strip();
        String[] parts = text.isEmpty() ? new String[0] : text.split("\\s+");
        if (parts.length != 6) {
            throw new IllegalArgumentException("cron(" + text + ") needs six fields: minutes hours day-of-month month "
                    + "day-of-week year, e.g. cron(0 9 ? * MON-FRI *)");
        }
        String dom = parts[2].toUpperCase(Locale.ROOT);
        String dow = parts[4].toUpperCase(Locale.ROOT);
        boolean domAny = dom.equals("?");
        boolean dowAny = dow.equals("?");
        if (domAny == dowAny) {
            throw new IllegalArgumentException("cron(" + text + "): exactly one of day-of-month and day-of-week must be"
                    + " '?' (e.g. cron(0 9 * * ? *) or cron(0 9 ? * MON *))");
        }
        BitSet minutes = values(parts[0], "minutes", 0, 59, Map.of(), true);
        BitSet hours = values(parts[1], "hours", 0, 23, Map.of(), true);
        BitSet months = values(parts[3], "month", 1, 12, MONTHS, true);
        BitSet years = values(parts[5], "year", MIN_YEAR, MAX_YEAR, Map.of(), false);
        DayRule dayOfMonth = domAny ? null : dayOfMonth(dom);
        DayRule dayOfWeek = dowAny ? null : dayOfWeek(dow);
        return new CronExpression(String.join(" ", parts), minutes, hours, dayOfMonth, months, dayOfWeek, years);
    }

    public String fields() {
        return fields;
    }

    /**
     * The first time strictly after {@code after} at which the expression fires in {@code zone}, or null when it never
     * does again (a past year, or a day no month has).
     */
    public Instant next(Instant after, ZoneId zone) {
        ZoneRules rules = zone.getRules();
        LocalDate date = LocalDateTime.ofInstant(after, zone).toLocalDate();
        while (date.getYear() <= MAX_YEAR) {
            if (!years.get(date.getYear())) {
                int year = years.nextSetBit(date.getYear() + 1);
                if (year < 0) {
                    return null;
                }
                date = LocalDate.of(year, 1, 1);
                continue;
            }
            if (!months.get(date.getMonthValue())) {
                date = date.withDayOfMonth(1).plusMonths(1);
                continue;
            }
            if (dayMatches(date)) {
                Instant found = firstOn(date, after, zone, rules);
                if (found != null) {
                    return found;
                }
            }
            date = date.plusDays(1);
        }
        return null;
    }

    /** The day's first time after {@code after}: hours and minutes in order; gaps skipped, overlaps at their first. */
    private Instant firstOn(LocalDate date, Instant after, ZoneId zone, ZoneRules rules) {
        // Local times well before the one of `after` cannot be after it, whatever the day's offsets (no zone shifts its
        // clocks by more than a few hours): skipped without converting them.
        LocalDateTime earliest = LocalDateTime.ofInstant(after, zone).minusHours(SHIFT_MARGIN_HOURS);
        for (int h = hours.nextSetBit(0); h >= 0; h = hours.nextSetBit(h + 1)) {
            for (int m = minutes.nextSetBit(0); m >= 0; m = minutes.nextSetBit(m + 1)) {
                LocalDateTime local = LocalDateTime.of(date, LocalTime.of(h, m));
                if (local.isBefore(earliest)) {
                    continue;
                }
                if (rules.getValidOffsets(local).isEmpty()) {
                    continue;  // clocks sprang forward over it: skipped on this day, as EventBridge Scheduler does
                }
                // The earlier offset of an overlap: a repeated local time fires at its first occurrence only.
                Instant at = ZonedDateTime.ofLocal(local, zone, null).toInstant();
                if (at.isAfter(after)) {
                    return at;
                }
            }
        }
        return null;
    }

    private boolean dayMatches(LocalDate date) {
        return dayOfMonth != null ? dayOfMonth.matches(date) : dayOfWeek.matches(date);
    }

    /** EventBridge numbers the days of the week 1 (Sunday) to 7 (Saturday). */
    static int eventBridgeDay(DayOfWeek day) {
        return day.getValue() % 7 + 1;
    }

    private static DayRule dayOfMonth(String text) {
        if (text.equals("L")) {
            return new LastDay(0);
        }
        if (text.equals("LW")) {
            return new LastWeekday();
        }
        if (text.startsWith("L-")) {
            int offset = number(text.substring(2), "day-of-month", text);
            if (offset < 0 || offset > 30) {
                throw new IllegalArgumentException("day-of-month " + text + ": L-n takes n from 0 to 30");
            }
            return new LastDay(offset);
        }
        if (text.endsWith("W")) {
            int day = number(text.substring(0, text.length() - 1), "day-of-month", text);
            if (day < 1 || day > 31) {
                throw new IllegalArgumentException("day-of-month " + text + ": nW takes a day from 1 to 31");
            }
            return new NearestWeekday(day);
        }
        return new DaySet(values(text, "day-of-month", 1, 31, Map.of(), true));
    }

    private static DayRule dayOfWeek(String text) {
        if (text.equals("L")) {
            BitSet saturday = new BitSet();
            saturday.set(7);
            return new WeekdaySet(saturday);
        }
        if (text.contains("#")) {
            String[] parts = text.split("#", -1);
            if (parts.length != 2) {
                throw new IllegalArgumentException("day-of-week " + text + ": write n#k, e.g. 3#2 (the second Tuesday)");
            }
            int day = single(parts[0], "day-of-week", 1, 7, DAYS);
            int nth = number(parts[1], "day-of-week", text);
            if (nth < 1 || nth > 5) {
                throw new IllegalArgumentException("day-of-week " + text + ": n#k takes k from 1 to 5");
            }
            return new NthWeekday(day, nth);
        }
        if (text.endsWith("L")) {
            return new LastOfWeekday(single(text.substring(0, text.length() - 1), "day-of-week", 1, 7, DAYS));
        }
        return new WeekdaySet(values(text, "day-of-week", 1, 7, DAYS, true));
    }

    /** A list of values, ranges, {@code *} and increments, as the set of values it names. */
    private static BitSet values(String text, String field, int min, int max, Map<String, Integer> names,
                                 boolean wrap) {
        BitSet set = new BitSet(max + 1);
        if (text.isEmpty()) {
            throw new IllegalArgumentException(field + " is empty");
        }
        for (String item : text.toUpperCase(Locale.ROOT).split(",", -1)) {
            if (item.isEmpty()) {
                throw new IllegalArgumentException(field + " " + text + ": an empty item in the list");
            }
            String range = item;
            int step = 1;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                range = item.substring(0, slash);
                step = number(item.substring(slash + 1), field, item);
                if (step < 1 || step > max - min + 1) {
                    throw new IllegalArgumentException(field + " " + item + ": the increment must be 1 to "
                            + (max - min + 1));
                }
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                String[] ends = range.split("-", -1);
                if (ends.length != 2) {
                    throw new IllegalArgumentException(field + " " + item + ": a range is a-b");
                }
                from = single(ends[0], field, min, max, names);
                to = single(ends[1], field, min, max, names);
                if (to < from && !wrap) {
                    throw new IllegalArgumentException(field + " " + item + ": a range must go upwards");
                }
            } else {
                from = single(range, field, min, max, names);
                to = slash >= 0 ? max : from;  // 5/10: from 5, every 10, to the end
            }
            int span = to >= from ? to - from : (max - from) + (to - min) + 1;
            for (int i = 0; i <= span; i += step) {
                int v = from + i;
                set.set(v > max ? v - (max - min + 1) : v);
            }
        }
        return set;
    }

    private static int single(String text, String field, int min, int max, Map<String, Integer> names) {
        Integer named = names.get(text.toUpperCase(Locale.ROOT));
        int value = named != null ? named : number(text, field, text);
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " " + text + " is out of range: " + min + "-" + max
                    + (names.isEmpty() ? "" : " or " + String.join(",", List.copyOf(names.keySet()).stream().sorted(
                    java.util.Comparator.comparing(names::get)).toList())));
        }
        return value;
    }

    private static int number(String text, String field, String item) {
        if (text.isEmpty() || text.length() > 4 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(field + " " + item + ": '" + text + "' is not a number"
                    + (field.equals("month") ? " or JAN-DEC" : field.equals("day-of-week") ? " or SUN-SAT" : ""));
        }
        return Integer.parseInt(text);
    }

    private static Map<String, Integer> names(String... names) {
        Map<String, Integer> map = new java.util.HashMap<>();
        for (int i = 0; i < names.length; i++) {
            map.put(names[i], i + 1);
        }
        return Map.copyOf(map);
    }
}
