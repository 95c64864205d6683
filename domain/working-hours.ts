import { z } from 'zod';

/**
 * Working hours of a reception desk: a weekly timetable in one IANA time zone,
 * plus special dates (holidays, extra or different on-duty days).
 *
 * Pure and deterministic (only Intl from the platform), because workflow code
 * imports it and must replay identically.
 *
 * Wall-clock semantics: 09:00–17:00 means what the clock on the wall in
 * `timeZone` shows, whatever the UTC offset is that day. Across DST:
 * - spring forward: local times that do not exist (02:xx in New York on the
 *   changeover day) are treated as the next existing one, so a range that
 *   starts or ends inside the gap takes effect when the clock jumps;
 * - fall back: a local time that occurs twice is inside a range both times.
 *
 * Longer than most files: the schema, the wall-clock arithmetic and the two
 * questions asked of it (open now? when does that change?) share the DST rules
 * above, and splitting them would put those rules in two places.
 */

const MINUTES_PER_DAY = 24 * 60;
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = MINUTES_PER_DAY * MS_PER_MINUTE;

/** How far nextChange looks ahead: enough for "we open on Monday" after a long holiday. */
export const nextChangeHorizonDays = 14;

/** Index is the JS day of week (Date#getUTCDay): 0 is Sunday. */
export const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof weekdays)[number];

const startTime = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, { message: 'must be HH:MM, 00:00 to 23:59' });
/** 24:00 lets a range end exactly at midnight without spilling into the next day. */
const endTime = z
  .string()
  .regex(/^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/, { message: 'must be HH:MM, 00:00 to 24:00' });

/**
 * Start inclusive, end exclusive. An end at or before the start runs overnight
 * into the next day (22:00–02:00); 09:00–09:00 is 24 hours from 09:00.
 */
export const timeRangeSchema = z.strictObject({ start: startTime, end: endTime });
export type TimeRange = z.infer<typeof timeRangeSchema>;

/** A handful of shifts a day; more is a data-entry mistake, not a timetable. */
const dayRanges = z.array(timeRangeSchema).max(6);

/** Minutes after midnight; NaN for anything that is not HH:MM (refinements also see bad input). */
function minutesOf(hhmm: string): number {
  const match = /^(\d\d):(\d\d)$/.exec(hhmm);
  return match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
}

/** [start, end) in minutes from the midnight of the day the range starts on; end may pass 1440. */
type Span = readonly [start: number, end: number];

function spanOf(range: TimeRange): Span {
  const start = minutesOf(range.start);
  const end = minutesOf(range.end);
  return [start, end <= start ? end + MINUTES_PER_DAY : end];
}

/** Index of the first range that overlaps an earlier one of the same day, or -1. */
function firstOverlap(ranges: readonly TimeRange[]): number {
  const spans = ranges.map(spanOf);
  return spans.findIndex((b, j) => spans.slice(0, j).some((a) => a[0] < b[1] && b[0] < a[1]));
}

const weeklySchema = z
  .strictObject({
    mon: dayRanges.optional(),
    tue: dayRanges.optional(),
    wed: dayRanges.optional(),
    thu: dayRanges.optional(),
    fri: dayRanges.optional(),
    sat: dayRanges.optional(),
    sun: dayRanges.optional(),
  })
  .superRefine((week, ctx) => {
    for (const day of weekdays) {
      const clash = firstOverlap(week[day] ?? []);
      if (clash >= 0) {
        ctx.addIssue({ code: 'custom', path: [day, clash], message: `ranges on ${day} overlap` });
      }
    }
  });

const isoDate = z.iso.date({ message: 'must be a calendar date YYYY-MM-DD' });

/** A holiday: no ranges of its own, and the weekly ones do not apply. */
const closedDateSchema = z.strictObject({ date: isoDate, closed: z.literal(true) });

/** An extra or different on-duty day: its ranges replace the weekly ones for that date. */
const onDutyDateSchema = z
  .strictObject({ date: isoDate, ranges: dayRanges.min(1) })
  .superRefine((special, ctx) => {
    const clash = firstOverlap(special.ranges);
    if (clash >= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['ranges', clash],
        message: `ranges on ${special.date} overlap`,
      });
    }
  });

export const specialDateSchema = z.union([closedDateSchema, onDutyDateSchema]);
export type SpecialDate = z.infer<typeof specialDateSchema>;

/** One cached formatter per zone: constructing one costs far more than using it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws a RangeError for an unknown time zone. Reports read local days and hours with it too. */
export function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      // h23, not hour12: false, which renders midnight as 24 in some engines.
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function isTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export const workingHoursSchema = z.strictObject({
  timeZone: z
    .string()
    .min(1)
    .superRefine((timeZone, ctx) => {
      if (!isTimeZone(timeZone)) {
        ctx.addIssue({
          code: 'custom',
          message: `timeZone "${timeZone}" is not an IANA time zone name`,
        });
      }
    }),
  weekly: weeklySchema,
  special: z
    .array(specialDateSchema)
    .max(366)
    .superRefine((dates, ctx) => {
      const seen = new Set<string>();
      dates.forEach(({ date }, index) => {
        if (seen.has(date)) {
          ctx.addIssue({
            code: 'custom',
            path: [index, 'date'],
            message: `special date ${date} is listed twice`,
          });
        }
        seen.add(date);
      });
    })
    .default([]),
});

export type WorkingHours = z.output<typeof workingHoursSchema>;
export type WorkingHoursInput = z.input<typeof workingHoursSchema>;

/*
 * Local wall-clock times are handled as "wall ms": the local date and time
 * encoded as if it were UTC (Date.UTC of the local fields). Day arithmetic on
 * them is plain arithmetic, free of DST; only the conversion to and from real
 * instants needs the zone.
 */

function wallClockAt(timeZone: string, instant: number): number {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const field = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((part) => part.type === type)?.value);
  return Date.UTC(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  );
}

/** UTC offset in ms (wall minus instant); the formatter has second resolution. */
function offsetAt(timeZone: string, instant: number): number {
  return wallClockAt(timeZone, instant) - Math.floor(instant / 1000) * 1000;
}

function startOfDay(wall: number): number {
  return Math.floor(wall / MS_PER_DAY) * MS_PER_DAY;
}

function dateKey(day: number): string {
  return new Date(day).toISOString().slice(0, 10);
}

interface Timetable {
  /** Spans of the ranges starting on the local day whose midnight is `day` (wall ms). */
  spansOn(day: number): readonly Span[];
  openAtWall(wall: number): boolean;
}

function timetable(schedule: WorkingHours): Timetable {
  const specials = new Map(schedule.special.map((special) => [special.date, special]));
  const cache = new Map<number, readonly Span[]>();
  const spansOn = (day: number): readonly Span[] => {
    let spans = cache.get(day);
    if (!spans) {
      const special = specials.get(dateKey(day));
      const weekday = weekdays[new Date(day).getUTCDay()] ?? 'sun';
      const ranges = special
        ? 'closed' in special
          ? []
          : special.ranges
        : (schedule.weekly[weekday] ?? []);
      spans = ranges.map(spanOf);
      cache.set(day, spans);
    }
    return spans;
  };
  const openAtWall = (wall: number): boolean => {
    const day = startOfDay(wall);
    const minute = Math.floor((wall - day) / MS_PER_MINUTE);
    if (spansOn(day).some(([start, end]) => start <= minute && minute < end)) return true;
    // An overnight range belongs to the day it starts on. Its tail after
    // midnight stays open even when today is a closed special date (the night
    // shift was planned on yesterday's terms), but when a special date
    // replaced yesterday, yesterday's weekly ranges, tail included, are gone:
    // spansOn(yesterday) already reflects that.
    return spansOn(day - MS_PER_DAY).some(([, end]) => minute < end - MINUTES_PER_DAY);
  };
  return { spansOn, openAtWall };
}

function instantOf(at: Date, caller: string): number {
  const instant = at.getTime();
  if (Number.isNaN(instant)) throw new RangeError(`${caller}: invalid Date`);
  return instant;
}

/**
 * Whether the desk is on duty at `at`, judged by the wall clock in the
 * schedule's zone. Throws a RangeError for an invalid Date.
 */
export function isOpen(schedule: WorkingHours, at: Date): boolean {
  const wall = wallClockAt(schedule.timeZone, instantOf(at, 'isOpen'));
  return timetable(schedule).openAtWall(wall);
}

/** A stretch of instants [from, to) with one UTC offset. */
interface OffsetSegment {
  from: number;
  to: number;
  offset: number;
}

/**
 * Offsets change a few times a year at most; sampling once a day finds every
 * change except a pair that cancels out within one day, which no zone has.
 */
const OFFSET_SAMPLE_MS = MS_PER_DAY;

function offsetSegments(timeZone: string, from: number, until: number): OffsetSegment[] {
  const segments: OffsetSegment[] = [];
  let segmentStart = from;
  let offset = offsetAt(timeZone, from);
  let sample = from;
  while (sample < until) {
    const next = Math.min(sample + OFFSET_SAMPLE_MS, until);
    if (offsetAt(timeZone, next) === offset) {
      sample = next;
      continue;
    }
    // Bisect in whole seconds (transitions fall on them) for the first second
    // with another offset, then carry on from there in case of a second change.
    let lo = Math.floor(sample / 1000);
    let hi = Math.ceil(next / 1000);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(timeZone, mid * 1000) === offset) lo = mid;
      else hi = mid;
    }
    segments.push({ from: segmentStart, to: hi * 1000, offset });
    segmentStart = sample = hi * 1000;
    offset = offsetAt(timeZone, segmentStart);
  }
  segments.push({ from: segmentStart, to: Infinity, offset });
  return segments;
}

/**
 * The next instant after `at` (minute resolution) at which isOpen flips, within
 * nextChangeHorizonDays; undefined when it stays the same all that time.
 *
 * isOpen only changes where the wall clock crosses a range boundary or where
 * the wall clock itself jumps (a UTC offset change), so only those instants
 * are tried, in order: a few dozen evaluations instead of a minute-by-minute
 * scan. Between offset changes wall = instant + offset, so each local boundary
 * maps to the instant(s) of the segments whose wall-clock window holds it:
 * twice in a repeated fall-back hour, never inside a spring-forward gap (the
 * jump itself, tried as a candidate, is the next existing time).
 */
export function nextChange(schedule: WorkingHours, at: Date): Date | undefined {
  const from = instantOf(at, 'nextChange');
  const until = from + nextChangeHorizonDays * MS_PER_DAY;
  const table = timetable(schedule);
  const segments = offsetSegments(schedule.timeZone, from, until);
  const firstOffset = segments[0]?.offset ?? offsetAt(schedule.timeZone, from);
  const wasOpen = table.openAtWall(Math.floor(from / 1000) * 1000 + firstOffset);

  // Local boundaries (wall ms) from the day before `at` (its overnight ranges
  // may end after `at`) to past the horizon (offsets shift it by under a day).
  const boundaries = new Set<number>();
  const firstDay = startOfDay(from + firstOffset) - MS_PER_DAY;
  for (let d = 0; d <= nextChangeHorizonDays + 2; d++) {
    const day = firstDay + d * MS_PER_DAY;
    for (const [start, end] of table.spansOn(day)) {
      boundaries.add(day + start * MS_PER_MINUTE);
      boundaries.add(day + end * MS_PER_MINUTE);
    }
  }

  const candidates: { instant: number; wall: number }[] = [];
  for (const { from: segmentFrom, to, offset } of segments) {
    if (segmentFrom > from) candidates.push({ instant: segmentFrom, wall: segmentFrom + offset });
    for (const wall of boundaries) {
      const instant = wall - offset;
      if (instant > from && instant >= segmentFrom && instant < to) {
        candidates.push({ instant, wall });
      }
    }
  }
  candidates.sort((a, b) => a.instant - b.instant);

  const flip = candidates.find(
    ({ instant, wall }) => instant <= until && table.openAtWall(wall) !== wasOpen,
  );
  return flip && new Date(flip.instant);
}
