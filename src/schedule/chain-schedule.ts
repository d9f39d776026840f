import type { ChainSchedule } from '../domain/chain.js';
import { AppError } from '../domain/errors.js';
import { describeSchedule } from './describe.js';
import { dstNotes } from './dst.js';
import { WEEKDAYS, WEEKDAYS_PLURAL } from './lexicon.js';
import { compiledCron } from './next-runs.js';
import { parseSchedule } from './parse.js';
import { type ScheduleSpec, ScheduleSpecSchema } from './spec.js';
import { type ClockTime, formatInstant, isValidDate, parseCivilDate, resolveWallTime } from './wall-clock.js';
import { resolveZoneName } from './zones.js';

export interface CompiledChainSchedule {
  spec: ScheduleSpec;
  description: string;
  assumptions: string[];
}

function invalid(message: string, hint?: string): AppError {
  return new AppError('invalid_schedule', message, {
    hint: hint ?? 'Give the schedule as words ("every weekday at 7am"), or as {frequency, time, timezone}, {cron, timezone} or {every_seconds}.',
  });
}

/** "05:00:00", "17:30", "5pm", "5:30 am" → a clock time. */
function parseTime(text: string): ClockTime | null {
  const m = /^\s*(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap]\.?m\.?)?\s*$/i.exec(text);
  if (m === null) return null;
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const second = m[3] === undefined ? 0 : Number(m[3]);
  const mer = m[4]?.toLowerCase().startsWith('p') ? 'pm' : m[4] === undefined ? null : 'am';
  if (mer !== null) {
    if (hour < 1 || hour > 12) return null;
    hour = mer === 'pm' ? (hour % 12) + 12 : hour % 12;
  } else if (m[2] === undefined) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  return { hour, minute, second };
}

function weekdayNumbers(days: string[]): number[] {
  return days.map((d) => {
    const key = d.trim().toLowerCase();
    const n = WEEKDAYS[key] ?? WEEKDAYS_PLURAL[key] ?? (/^[0-7]$/.test(key) ? Number(key) % 7 : undefined);
    if (n === undefined) throw invalid(`"${d}" is not a day of the week.`);
    return n;
  });
}

function field(t: ClockTime, dom: string, mon: string, dow: string): string {
  const core = `${t.minute} ${t.hour} ${dom} ${mon} ${dow}`;
  return t.second === 0 ? core : `${t.second} ${core}`;
}

/**
 * Compiles a chain definition's `schedule` field (words, the seed's `{frequency, time, timezone}`,
 * `{cron, timezone}` or `{every_seconds}`) into a ScheduleSpec. Throws AppError `invalid_schedule`.
 */
export function compileChainSchedule(input: ChainSchedule, opts: { now: Date; timeZone: string }): CompiledChainSchedule {
  const obj = typeof input === 'string' ? { text: input } : input;
  const zoneName = obj.timezone ?? opts.timeZone;
  const zone = resolveZoneName(zoneName);
  if (zone === null) throw invalid(`Unknown time zone "${zoneName}".`, 'Use an IANA zone name such as "America/New_York".');
  const notes: string[] = [];
  const shapes = [obj.text !== undefined, obj.frequency !== undefined, obj.cron !== undefined, obj.every_seconds !== undefined];
  if (shapes.filter(Boolean).length !== 1)
    throw invalid('A schedule needs exactly one of: text, frequency, cron or every_seconds.');

  if (obj.text !== undefined) {
    const r = parseSchedule(obj.text, { now: opts.now, timeZone: zone });
    if (!r.ok) {
      throw new AppError('invalid_schedule', `Schedule "${obj.text}": ${r.message}`, {
        hint: r.question ?? 'Rephrase the schedule, e.g. "every weekday at 7am".',
        details: { code: r.code },
      });
    }
    return { spec: r.spec, description: r.description, assumptions: r.assumptions };
  }

  let spec: ScheduleSpec;
  if (obj.cron !== undefined) {
    try {
      const next = compiledCron(obj.cron, zone).nextRun(opts.now);
      if (next === null) throw invalid(`The cron pattern "${obj.cron}" never runs.`);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw invalid(`The cron pattern "${obj.cron}" is not valid: ${err instanceof Error ? err.message : String(err)}.`);
    }
    spec = { kind: 'cron', patterns: [obj.cron.trim()], timezone: zone };
  } else if (obj.every_seconds !== undefined) {
    const s = obj.every_seconds;
    if (!Number.isInteger(s) || s < 1) throw invalid('every_seconds must be a whole number of at least 1.');
    spec = { kind: 'interval', every_seconds: s, anchor: formatInstant(opts.now.getTime() + s * 1000, zone), timezone: zone };
  } else {
    const time = obj.time === undefined ? null : parseTime(obj.time);
    if (obj.time !== undefined && time === null) throw invalid(`"${obj.time}" is not a time of day; use "HH:MM" (24-hour).`);
    const at = time ?? { hour: 9, minute: 0, second: 0 };
    if (time === null && obj.frequency !== 'hourly') notes.push('No time given: using 09:00.');
    switch (obj.frequency) {
      case 'once': {
        const date = obj.date === undefined ? null : parseCivilDate(obj.date);
        if (date === null) throw invalid('A one-off schedule needs "date" as YYYY-MM-DD.');
        const r = resolveWallTime(zone, date, at);
        if (r.at <= opts.now.getTime()) throw invalid(`${obj.date} ${obj.time ?? '09:00'} has already passed.`);
        spec = { kind: 'once', at: formatInstant(r.at, zone), timezone: zone };
        break;
      }
      case 'hourly':
        spec = { kind: 'cron', patterns: [`${at.minute} * * * *`], timezone: zone };
        break;
      case 'daily':
        spec = { kind: 'cron', patterns: [field(at, '*', '*', '*')], timezone: zone };
        break;
      case 'weekdays':
        spec = { kind: 'cron', patterns: [field(at, '*', '*', '1-5')], timezone: zone };
        break;
      case 'weekly': {
        if (obj.days === undefined || obj.days.length === 0) throw invalid('A weekly schedule needs "days", e.g. ["monday"].');
        const days = [...new Set(weekdayNumbers(obj.days))].sort((a, b) => a - b);
        spec = { kind: 'cron', patterns: [field(at, '*', '*', days.join(','))], timezone: zone };
        break;
      }
      case 'monthly': {
        const day = obj.day_of_month ?? 1;
        if (obj.day_of_month === undefined) notes.push('No day_of_month given: using the 1st.');
        if (day > 28) notes.push(`Months without a day ${day} are skipped.`);
        spec = { kind: 'cron', patterns: [field(at, String(day), '*', '*')], timezone: zone };
        break;
      }
      case 'yearly': {
        const m = obj.date === undefined ? null : /^(?:\d{4}-)?(\d{2})-(\d{2})$/.exec(obj.date);
        if (m === null) throw invalid('A yearly schedule needs "date" as MM-DD or YYYY-MM-DD.');
        const month = Number(m[1]);
        const day = Number(m[2]);
        if (!isValidDate({ year: 2024, month, day })) throw invalid(`${obj.date} is not a date that exists.`);
        spec = { kind: 'cron', patterns: [field(at, String(day), String(month), '*')], timezone: zone };
        break;
      }
      default:
        throw invalid('Unknown frequency.');
    }
  }
  const checked = ScheduleSpecSchema.safeParse(spec);
  if (!checked.success) throw invalid(`That schedule is not valid: ${checked.error.issues[0]?.message ?? 'unknown problem'}.`);
  return { spec, description: describeSchedule(spec), assumptions: [...notes, ...dstNotes(spec, opts.now.getTime())] };
}
