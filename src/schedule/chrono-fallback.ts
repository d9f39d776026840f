import { createRequire } from 'node:module';
import type * as Chrono from 'chrono-node';
import type { Moment, ScheduleDraft } from './draft.js';
import { type Token, tokenize } from './tokenize.js';
import { DANGER_WORDS, MONTHS, NUMBERISH_WORDS, STRONG_TIME_WORDS, TIME_WORDS, WEEKDAYS, WEEKDAYS_PLURAL } from './lexicon.js';

/**
 * A guarded second opinion from chrono-node for one-off dates in formats the grammar does not know
 * ("11-Mar-2025 10:30", "Thu, 06 Mar 2025 14:00:00 +0000"). chrono is used for date/time
 * components only, and only when none of its known traps can apply:
 * - recurrence words anywhere → no (chrono reads "every Monday" as one Monday);
 * - an ambiguous numeric date without a locale → no (chrono silently picks US order);
 * - its match must cover every time-ish word of the text (no partial parse: "in an hour and a half");
 * - only components chrono marks as certain are used, and they are resolved in the IANA zone by
 *   the compiler (chrono itself ignores IANA zones and applies fixed offsets across DST).
 */

/**
 * chrono-node is loaded on first use (synchronously, through its CommonJS build): most phrases never
 * need it, and importing it up front costs every process start — the MCP server's included.
 */
let chronoModule: typeof Chrono | undefined;
function chronoLib(): typeof Chrono {
  chronoModule ??= createRequire(import.meta.url)('chrono-node') as typeof Chrono;
  return chronoModule;
}

const RECURRENCE = new Set([
  ...Object.keys(WEEKDAYS_PLURAL), 'every', 'each', 'daily', 'weekly', 'monthly', 'yearly', 'hourly',
  'nightly', 'annually', 'weekdays', 'weekends', 'other', 'alternate', 'biweekly', 'fortnightly',
  'twice', 'times', 'until', 'till', 'starting', 'from', 'between', 'for', 'next', 'last', 'ago',
]);
/** chrono turns relative words into "certain" absolute fields; those are the grammar's job. */
const RELATIVE = new Set([
  'in', 'within', 'ago', 'now', 'later', 'few', 'couple', 'several', 'today', 'tomorrow', 'tonight',
  'yesterday', 'this', 'noon', 'midnight', 'morning', 'afternoon', 'evening', 'night', 'week', 'month', 'year',
]);
const LEADING_GLUE = /^\s*(?:(?:please|pls)\s+)?(?:(?:remind|ping|notify|alert|tell)\s+(?:me|us)|set\s+a\s+reminder)\b\s*/i;
const EDGE_WORDS = /^(?:on|at|by|for|,|-)\s+|\s+(?:on|at|by|for|,|-)$/i;

function timeish(t: Token): boolean {
  if (t.kind !== 'word' && t.kind !== 'punct') return true;
  return TIME_WORDS.has(t.v) || NUMBERISH_WORDS.has(t.v) || MONTHS[t.v] !== undefined || WEEKDAYS[t.v] !== undefined;
}

function trimEdges(s: string): string {
  let out = s.trim();
  for (let prev = ''; prev !== out; ) {
    prev = out;
    out = out.replace(EDGE_WORDS, '').trim();
  }
  return out;
}

/** A draft from chrono's certain components, or null when any guard says no. */
export function chronoDraft(text: string, now: Date, locale: 'en-US' | 'en-GB' | undefined): ScheduleDraft | null {
  const toks = tokenize(text);
  if (toks.some((t) => RECURRENCE.has(t.v) || DANGER_WORDS.has(t.v))) return null;
  if (locale === undefined && toks.some((t) => t.kind === 'slashdate')) return null;
  const parser = locale === 'en-GB' ? chronoLib().en.GB : chronoLib().en.casual;
  let results: Chrono.ParsedResult[];
  try {
    results = parser.parse(text, now);
  } catch {
    return null;
  }
  const [r] = results;
  if (results.length !== 1 || r === undefined) return null;
  const from = r.index;
  const to = r.index + r.text.length;
  if (toks.some((t) => timeish(t) && (t.start < from || t.end > to))) return null;
  const matched = toks.filter((t) => t.start >= from && t.end <= to);
  if (matched.some((t) => RELATIVE.has(t.v))) return null;
  // Only absolute calendar dates: a month name, a numeric date or a year must be part of the match.
  const absolute = matched.some((t) => MONTHS[t.v] !== undefined || t.kind === 'isodate' || t.kind === 'slashdate' || /^\d{4}$/.test(t.v));
  if (!absolute) return null;
  const s = r.start;
  const moment: Moment = {};
  if (s.isCertain('day') && s.isCertain('month')) {
    const year = s.isCertain('year') ? s.get('year') : null;
    moment.date = {
      type: 'calendar',
      month: s.get('month') ?? 0,
      day: s.get('day') ?? 0,
      ...(year !== null && year !== undefined ? { year } : {}),
    };
  } else if (s.isCertain('day') || s.isCertain('weekday') || s.isCertain('month')) return null;
  if (s.isCertain('hour')) {
    const hour = s.get('hour') ?? 0;
    const minute = s.get('minute') ?? 0;
    const second = s.get('second') ?? 0;
    const unsure = !s.isCertain('meridiem') && hour >= 1 && hour <= 12;
    moment.time = { hour, minute, ...(second ? { second } : {}), ...(unsure ? { am_pm_unsure: true } : {}) };
  }
  if (moment.date === undefined) return null;
  let timezone: string | undefined;
  if (s.isCertain('timezoneOffset')) {
    const off = s.get('timezoneOffset') ?? 0;
    if (off % 60 !== 0 || Math.abs(off) > 14 * 60) return null;
    timezone = off === 0 ? 'UTC' : `Etc/GMT${off > 0 ? '-' : '+'}${Math.abs(off) / 60}`;
  }
  const before = trimEdges(text.slice(0, from).replace(LEADING_GLUE, ''));
  const after = trimEdges(text.slice(to));
  const parts = [before, after].filter((p) => p !== '');
  if (parts.some((p) => tokenize(p).some((t) => STRONG_TIME_WORDS.has(t.v)))) return null;
  const task = parts.join(' ').replace(/^(?:to|about|that)\s+/i, '').replace(/[\s,.;!?]+$/, '');
  return {
    once: moment,
    task,
    ...(timezone === undefined ? {} : { timezone }),
    assumptions: [`"${r.text.trim()}" read with the general date reader.`],
  };
}
