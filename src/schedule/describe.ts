import { formatDay, formatWhen, listWords, weekdayWords } from './format.js';
import { MONTH_NAMES, WEEKDAY_NAMES } from './lexicon.js';
import type { CalendarSpec, IntervalSpec, ScheduleSpec } from './spec.js';
import { parseCivilDate, type CivilDate } from './wall-clock.js';

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

const NTH_WORDS = ['', 'first', 'second', 'third', 'fourth', 'fifth'];

function every(n: number, unit: string): string {
  return n === 1 ? `every ${unit}` : `every ${n} ${unit}s`;
}

/** "every 90 minutes", "every 2 hours", "every 45 seconds". */
function everySeconds(s: number): string {
  if (s % 86_400 === 0) return every(s / 86_400, 'day');
  if (s % 3600 === 0) return every(s / 3600, 'hour');
  if (s % 60 === 0) return every(s / 60, 'minute');
  return every(s, 'second');
}

const pad = (n: number): string => String(n).padStart(2, '0');
const isNum = (f: string): boolean => /^\d+$/.test(f);
const nums = (f: string): number[] | null => {
  const out: number[] = [];
  for (const part of f.split(',')) {
    const r = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (r === null) return null;
    const a = Number(r[1]);
    const b = r[2] === undefined ? a : Number(r[2]);
    for (let k = a; k <= b; k++) out.push(k);
  }
  return out;
};

/** The day part of a cron pattern in words, or null when it is not a shape we write. */
function dayPart(dom: string, mon: string, dow: string): string | null {
  const months = mon === '*' ? null : nums(mon);
  if (mon !== '*' && months === null) return null;
  const monthText = months === null ? null : listWords(months.map((m) => MONTH_NAMES[m - 1] ?? String(m)));
  if (dom === '*' && dow === '*') return months === null ? 'every day' : `every day in ${monthText}`;
  if (dom === '*') {
    const plain = nums(dow.replace(/\b7\b/g, '0'));
    if (plain !== null) {
      const days = weekdayWords(plain);
      return months === null ? `every ${days}` : `every ${days} in ${monthText}`;
    }
    const nth: string[] = [];
    for (const part of dow.split(',')) {
      const last = /^(\d)L$/.exec(part);
      const hash = /^(\d)#(\d)$/.exec(part);
      if (last !== null) nth.push(`last ${WEEKDAY_NAMES[Number(last[1]) % 7]}`);
      else if (hash !== null) nth.push(`${NTH_WORDS[Number(hash[2])] ?? ordinal(Number(hash[2]))} ${WEEKDAY_NAMES[Number(hash[1]) % 7]}`);
      else return null;
    }
    const sameDay = new Set(nth.map((x) => x.split(' ')[1])).size === 1;
    const text = sameDay && nth.length > 1 ? `${listWords(nth.map((x) => x.split(' ')[0] as string))} ${nth[0]?.split(' ')[1]}` : listWords(nth);
    return months === null ? `on the ${text} of every month` : `every year on the ${text} of ${monthText}`;
  }
  if (dow !== '*') return null;
  const parts: string[] = [];
  for (const part of dom.split(',')) {
    if (part === 'L') parts.push('last day');
    else if (part === '1W') parts.push('first weekday');
    else if (part === 'LW') parts.push('last weekday');
    else if (isNum(part)) parts.push(ordinal(Number(part)));
    else return null;
  }
  if (months !== null && parts.every((p) => /^\d/.test(p)) && months.length === 1)
    return `every year on ${listWords(dom.split(',').map((d) => `${d} ${monthText}`))}`;
  return months === null ? `on the ${listWords(parts)} of every month` : `every year on the ${listWords(parts)} of ${monthText}`;
}

/** Words for a set of croner patterns; falls back to quoting patterns it does not recognise. */
function describeCron(patterns: string[]): string {
  const groups = new Map<string, string[]>();
  const order: string[] = [];
  const add = (key: string, time: string | null): void => {
    if (!groups.has(key)) {
      groups.set(key, []);
      order.push(key);
    }
    if (time !== null) groups.get(key)?.push(time);
  };
  for (const p of patterns) {
    const f = p.trim().split(/\s+/);
    const [sec, min, hour, dom, mon, dow] = f.length === 6 ? f : ['0', ...f];
    if (sec === undefined || min === undefined || hour === undefined || dom === undefined || mon === undefined || dow === undefined) {
      add(`raw:${p}`, null);
      continue;
    }
    const days = dayPart(dom, mon, dow);
    const step = /^\*\/(\d+)$/.exec(min);
    if (days !== null && sec === '0' && hour === '*' && (min === '*' || step !== null)) {
      const base = min === '*' ? 'every minute' : every(Number(step?.[1]), 'minute');
      add(`plain:${base}${days === 'every day' ? '' : ` ${days.replace(/^every /, 'on ').replace(/^on (\w+)$/, 'on $1s')}`}`, null);
      continue;
    }
    if (days !== null && sec === '0' && hour === '*' && min === '0') {
      add(`plain:every hour on the hour${days === 'every day' ? '' : ` ${days.replace(/^every /, 'on ').replace(/^on (\w+)$/, 'on $1s')}`}`, null);
      continue;
    }
    if (days !== null && isNum(sec) && isNum(min) && nums(hour) !== null) {
      for (const h of nums(hour) ?? []) {
        const s = Number(sec);
        add(`day:${days}`, `${pad(h)}:${pad(Number(min))}${s ? `:${pad(s)}` : ''}`);
      }
      continue;
    }
    add(`raw:${p}`, null);
  }
  const texts = order.map((key) => {
    const [kind, ...rest] = key.split(':');
    const body = rest.join(':');
    if (kind === 'plain') return body;
    if (kind === 'raw') return `on the cron schedule "${body}"`;
    const times = [...new Set(groups.get(key) ?? [])].sort();
    return `${body} at ${listWords(times)}`;
  });
  return listWords(texts);
}

function windowText(spec: IntervalSpec): string {
  const w = spec.window;
  if (w === undefined) return '';
  const days = w.weekdays === undefined ? '' : ` on ${weekdayWords(w.weekdays)}s`.replace('on days', 'every day');
  if (w.from === '00:00' && w.to === '23:59') return `${days}`;
  return ` from ${w.from} to ${w.to}${days}`;
}

function calendarText(spec: CalendarSpec): string {
  const anchor = parseCivilDate(spec.anchor_date) as CivilDate;
  const at = ` at ${listWords(spec.times)}`;
  if (spec.unit === 'day') return `${every(spec.interval, 'day')}${at}, counting from ${formatDay(anchor)}`;
  if (spec.unit === 'week') {
    const days = weekdayWords(spec.weekdays ?? []);
    return `${every(spec.interval, 'week')} on ${days}${at}, counting from the week of ${formatDay(anchor)}`;
  }
  const day = spec.month_day === -1 || spec.month_day === undefined ? 'the last day' : `the ${ordinal(spec.month_day)}`;
  return `${every(spec.interval, 'month')} on ${spec.month_day === undefined ? `the ${ordinal(anchor.day)}` : day}${at}, counting from ${formatDay(anchor)}`;
}

/**
 * A schedule in words, for echoing back: "every Monday at 08:00 (America/Chicago)",
 * "once on Fri 7 Mar 2025 at 17:00 (America/New_York)".
 */
export function describeSchedule(spec: ScheduleSpec): string {
  const zone = spec.timezone;
  if (spec.kind === 'once') return `once on ${formatWhen(Date.parse(spec.at), zone)} (${zone})`;
  let core: string;
  if (spec.kind === 'cron') core = describeCron(spec.patterns);
  else if (spec.kind === 'calendar') core = calendarText(spec);
  else if (spec.window !== undefined) core = `${everySeconds(spec.every_seconds)}${windowText(spec)}`;
  else core = `${everySeconds(spec.every_seconds)} from ${formatWhen(Date.parse(spec.anchor), zone)}`;
  const tail: string[] = [];
  const anchored = spec.kind === 'interval' && spec.window === undefined && spec.anchor === spec.start;
  if (spec.start !== undefined && !anchored) tail.push(`starting ${formatWhen(Date.parse(spec.start), zone)}`);
  if (spec.until !== undefined) tail.push(`until ${formatWhen(Date.parse(spec.until), zone)}`);
  if (spec.count !== undefined) tail.push(spec.count === 1 ? 'once only' : `${spec.count} times`);
  return `${core}${tail.length > 0 ? `, ${tail.join(', ')}` : ''} (${zone})`;
}
