import { Cron } from 'croner';
import type { CalendarSpec, CronSpec, IntervalSpec, ScheduleSpec } from './spec.js';
import {
  MS_PER_DAY,
  addMonths,
  dayNumber,
  daysInMonth,
  fromDayNumber,
  parseCivilDate,
  parseClock,
  resolveWallTime,
  weekdayOf,
  zonedFields,
  type CivilDate,
  type ClockTime,
} from './wall-clock.js';

/**
 * croner allocates ~80 KB per compiled pattern, and the scheduler asks for the next run after every
 * fire, so compiled patterns are kept per pattern + zone in a bounded map (a cache of pure values).
 */
const MAX_CACHED_CRONS = 500;
const crons = new Map<string, Cron>();

/** A paused croner instance used as a calculator. Throws croner's error for a bad pattern. */
export function compiledCron(pattern: string, timezone: string): Cron {
  const key = `${timezone}\u0000${pattern}`;
  let c = crons.get(key);
  if (c === undefined) {
    c = new Cron(pattern, {
      paused: true,
      timezone,
      mode: '5-or-6-parts',
      // Lists and ranges of fixed times ("0 9,17 * * *") get the same DST rule as single times.
      fixedTimeRule: 'no-wildcard',
    });
    if (crons.size >= MAX_CACHED_CRONS) {
      const oldest = crons.keys().next();
      if (oldest.done !== true) crons.delete(oldest.value);
    }
    crons.set(key, c);
  } else {
    // Refresh recency so hot patterns stay.
    crons.delete(key);
    crons.set(key, c);
  }
  return c;
}

export interface NextRunsOptions {
  /** Runs strictly after this instant. */
  after: Date;
  /** At most this many runs. */
  limit: number;
  /** How many times the schedule has already fired (for `count`). */
  firedCount?: number;
}

interface Window {
  /** Exclusive lower bound (ms). */
  lower: number;
  /** Exclusive upper bound (ms). */
  upper: number;
  n: number;
}

function bounds(spec: Exclude<ScheduleSpec, { kind: 'once' }>, opts: NextRunsOptions): Window {
  const fired = opts.firedCount ?? 0;
  const remaining = spec.count === undefined ? Infinity : spec.count - fired;
  const n = Math.max(0, Math.min(Math.floor(opts.limit), remaining));
  let lower = opts.after.getTime();
  if (spec.start !== undefined) lower = Math.max(lower, Date.parse(spec.start) - 1);
  const upper = spec.until === undefined ? Infinity : Date.parse(spec.until);
  return { lower, upper, n };
}

/**
 * The next runs of a schedule strictly after `after`, honouring `start` (inclusive), `until`
 * (exclusive) and `count` (minus `firedCount`). Fewer than `limit` only when the schedule ends.
 */
export function computeNextRuns(spec: ScheduleSpec, opts: NextRunsOptions): Date[] {
  if (spec.kind === 'once') {
    const at = Date.parse(spec.at);
    const done = (opts.firedCount ?? 0) >= 1 || opts.limit < 1;
    return !done && at > opts.after.getTime() ? [new Date(at)] : [];
  }
  const w = bounds(spec, opts);
  if (w.n === 0 || w.lower >= w.upper) return [];
  switch (spec.kind) {
    case 'cron':
      return cronRuns(spec, w);
    case 'interval':
      return spec.window === undefined ? intervalRuns(spec, w) : windowRuns(spec, w);
    case 'calendar':
      return calendarRuns(spec, w);
  }
}

/** The next run strictly after `after`, or null when the schedule has ended. */
export function nextRunAfter(spec: ScheduleSpec, after: Date, firedCount = 0): Date | null {
  return computeNextRuns(spec, { after, limit: 1, firedCount })[0] ?? null;
}

function cronRuns(spec: CronSpec, w: Window): Date[] {
  const jobs = spec.patterns.map((p) => compiledCron(p, spec.timezone));
  const heads = jobs.map((j) => j.nextRun(new Date(w.lower)));
  const out: Date[] = [];
  while (out.length < w.n) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h == null) continue;
      const b = best < 0 ? null : heads[best];
      if (b == null || h.getTime() < b.getTime()) best = i;
    }
    if (best < 0) break;
    const next = heads[best] as Date;
    if (next.getTime() >= w.upper) break;
    const last = out[out.length - 1];
    if (last === undefined || last.getTime() !== next.getTime()) out.push(next);
    const job = jobs[best] as Cron;
    heads[best] = job.nextRun(next);
  }
  return out;
}

function intervalRuns(spec: IntervalSpec, w: Window): Date[] {
  const anchor = Date.parse(spec.anchor);
  const step = spec.every_seconds * 1000;
  let k = Math.max(0, Math.floor((w.lower - anchor) / step) + 1);
  const out: Date[] = [];
  while (out.length < w.n) {
    const at = anchor + k * step;
    if (at >= w.upper) break;
    if (at > w.lower) out.push(new Date(at));
    k++;
  }
  return out;
}

/** Resolves a local date + time with the DST rule: gap → first valid instant after it, fold → earlier. */
function instantOf(zone: string, date: CivilDate, time: ClockTime): number {
  return resolveWallTime(zone, date, time).at;
}

/**
 * Walks local dates from the one containing `w.lower` and collects the instants produced for each
 * eligible date, in order. `timesFor` returns local times (seconds of the day, possibly ≥ 86400 for
 * an overnight window) for an eligible date, or null when the date is not eligible.
 */
function walkDays(
  zone: string,
  w: Window,
  floor: number,
  firstDay: number,
  nextEligible: (dn: number) => number | null,
  secondsFor: (dn: number) => number[],
): Date[] {
  const out: Date[] = [];
  let dn: number | null = nextEligible(firstDay);
  let guard = 0;
  while (dn !== null && out.length < w.n && guard++ < 20_000) {
    const instants = new Set<number>();
    for (const secs of secondsFor(dn)) {
      const date = fromDayNumber(dn + Math.floor(secs / 86_400));
      const s = secs % 86_400;
      const at = instantOf(zone, date, { hour: Math.floor(s / 3600), minute: Math.floor((s % 3600) / 60), second: s % 60 });
      instants.add(at);
    }
    const sorted = [...instants].sort((a, b) => a - b);
    for (const at of sorted) {
      if (at >= w.upper) return out;
      const last = out[out.length - 1];
      if (at > w.lower && at >= floor && (last === undefined || at > last.getTime())) {
        out.push(new Date(at));
        if (out.length >= w.n) return out;
      }
    }
    // Stop once a whole eligible day lies beyond the upper bound.
    if (w.upper !== Infinity && (dn - 1) * MS_PER_DAY > w.upper + MS_PER_DAY) break;
    dn = nextEligible(dn + 1);
  }
  return out;
}

function secondsOfDay(hhmm: string): number {
  const t = parseClock(hhmm) as ClockTime;
  return t.hour * 3600 + t.minute * 60 + t.second;
}

function localDayNumber(zone: string, ms: number): number {
  return dayNumber(zonedFields(zone, ms));
}

function windowRuns(spec: IntervalSpec, w: Window): Date[] {
  const win = spec.window!;
  const from = secondsOfDay(win.from);
  let to = secondsOfDay(win.to);
  if (to < from) to += 86_400;
  const times: number[] = [];
  for (let s = from; s <= to && times.length < 5000; s += spec.every_seconds) times.push(s);
  const days = win.weekdays === undefined ? null : new Set(win.weekdays);
  const eligible = (dn: number): number | null => {
    if (days === null) return dn;
    for (let i = 0; i < 7; i++) if (days.has(weekdayOf(fromDayNumber(dn + i)))) return dn + i;
    return null;
  };
  // Start a day early so an overnight window that began yesterday is seen.
  const first = localDayNumber(spec.timezone, Math.max(w.lower, -8.64e15 + MS_PER_DAY)) - 1;
  return walkDays(spec.timezone, w, Date.parse(spec.anchor), first, eligible, () => times);
}

function calendarRuns(spec: CalendarSpec, w: Window): Date[] {
  const anchor = dayNumber(parseCivilDate(spec.anchor_date) as CivilDate);
  const times = [...new Set(spec.times.map(secondsOfDay))].sort((a, b) => a - b);
  const first = Math.max(anchor, localDayNumber(spec.timezone, w.lower));
  const n = spec.interval;
  let eligible: (dn: number) => number | null;
  if (spec.unit === 'day') {
    eligible = (dn) => anchor + Math.max(0, Math.ceil((dn - anchor) / n)) * n;
  } else if (spec.unit === 'week') {
    const weekStart = (dn: number): number => dn - ((weekdayOf(fromDayNumber(dn)) + 6) % 7);
    const anchorWeek = weekStart(anchor);
    const days = new Set(spec.weekdays ?? [weekdayOf(fromDayNumber(anchor))]);
    eligible = (dn) => {
      let d = Math.max(dn, anchor);
      for (let i = 0; i < 7 * n + 7; i++, d++) {
        const weekIndex = (weekStart(d) - anchorWeek) / 7;
        if (weekIndex % n !== 0) {
          d = anchorWeek + (weekIndex + (n - (weekIndex % n))) * 7 - 1;
          continue;
        }
        if (days.has(weekdayOf(fromDayNumber(d)))) return d;
      }
      return null;
    };
  } else {
    const a = fromDayNumber(anchor);
    const wanted = spec.month_day ?? a.day;
    eligible = (dn) => {
      const d = fromDayNumber(Math.max(dn, anchor));
      let months = (d.year - a.year) * 12 + (d.month - a.month);
      months = Math.ceil(months / n) * n;
      for (let i = 0; i < 400; i++, months += n) {
        const m = addMonths({ year: a.year, month: a.month, day: 1 }, months).date;
        const dim = daysInMonth(m.year, m.month);
        const day = wanted === -1 ? dim : wanted;
        if (day > dim) continue;
        const candidate = dayNumber({ year: m.year, month: m.month, day });
        if (candidate >= Math.max(dn, anchor)) return candidate;
      }
      return null;
    };
  }
  return walkDays(spec.timezone, w, -Infinity, first, eligible, () => times);
}
