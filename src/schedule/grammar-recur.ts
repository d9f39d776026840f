import { type Ctx, type Frag, type FragOf, isAny, parseNumber, parseUnit, seq, skip, tok, w } from './grammar-core.js';
import { ordinal, parseMoment, parseMonthDay, parseWeekdays } from './grammar-date.js';
import { durationSign, parseDuration } from './grammar-duration.js';
import { MONTHS, ORDINAL_WORDS, type TimeOfDay, WEEKDAYS, WEEKDAY_NAMES } from './lexicon.js';

type Marker = 'every' | 'the' | 'none';
type CadenceFields = Omit<FragOf<'cadence'>, 'k' | 'from' | 'explicit'>;

/** "of every month" / "monthly" → every; "of the month" → the. */
function monthMarker(ctx: Ctx, i: number): { marker: Marker; end: number } {
  let j = seq(ctx, i, ['of|in', 'every|each|a', 'month']);
  if (j > 0) return { marker: 'every', end: j };
  j = seq(ctx, i, ['every|each|a|per', 'month']);
  if (j > 0) return { marker: 'every', end: j };
  j = seq(ctx, i, ['monthly']);
  if (j > 0) return { marker: 'every', end: j };
  j = seq(ctx, i, ['of|in', 'the|this', 'month']);
  if (j > 0) return { marker: 'the', end: j };
  return { marker: 'none', end: i };
}

/** An ordinal 1-5 or "last" for nth-weekday phrases. */
function nth(ctx: Ctx, i: number): number | null {
  const t = tok(ctx, i);
  if (t === undefined) return null;
  if (t.v === 'last' || t.v === 'final') return -1;
  if (t.kind === 'ord' && t.n !== undefined && t.n >= 1 && t.n <= 5) return t.n;
  const o = ORDINAL_WORDS[t.v];
  return o !== undefined && o <= 5 ? o : null;
}

/** Day-of-month ordinals: "1st", "15th", "first". */
function dom(ctx: Ctx, i: number): number | null {
  const t = tok(ctx, i);
  if (t?.kind === 'ord' && t.n !== undefined) return t.n;
  const o = ORDINAL_WORDS[w(ctx, i)];
  return o ?? null;
}

/**
 * Monthly patterns: "the 1st of every month", "the last day of the month", "the first weekday of
 * each month", "the last Friday of each month", "the 2nd and 4th Wednesday". `impliedEvery` is set
 * after "every" ("every last Friday").
 */
export function parseMonthly(ctx: Ctx, i: number, impliedEvery = false): Frag | null {
  let j = skip(ctx, i, ['on']);
  // Without "the" ("first Monday of every month") the phrase must end in "of every month".
  let needsMarker = false;
  if (w(ctx, j) === 'the') j++;
  else if (!impliedEvery) needsMarker = true;
  const start = j;
  const done = (f: Frag | null): Frag | null => (needsMarker && (f === null || f.k !== 'monthly' || f.marker !== 'every') ? null : f);
  // the last day / the first weekday / the last business day
  const n0 = nth(ctx, j);
  if (n0 === 1 || n0 === -1) {
    let k = seq(ctx, j + 1, ['day']);
    if (k > 0 && n0 === -1) return done(finish(ctx, i, k, { month_days: [-1] }, impliedEvery));
    k = seq(ctx, j + 1, ['weekday|workday|business|working']);
    if (k > 0) {
      if (isAny(ctx, k, ['day', 'days'])) k++;
      return done(finish(ctx, i, k, { month_day_rule: n0 === 1 ? 'first_weekday' : 'last_weekday' }, impliedEvery));
    }
  }
  // nth weekday list: "2nd and 4th Wednesday", "first Monday"
  const nths: number[] = [];
  let k = j;
  for (;;) {
    const n = nth(ctx, k);
    if (n === null) break;
    nths.push(n);
    k++;
    let m = k;
    if (w(ctx, m) === ',') m++;
    if (w(ctx, m) === 'and') m++;
    if (m > k && nth(ctx, m) !== null) k = m;
    else break;
  }
  const wd = WEEKDAYS[w(ctx, k)];
  if (nths.length > 0 && wd !== undefined) {
    const nthWeekdays = nths.map((n) => ({ weekday: wd, nth: n }));
    return done(finish(ctx, i, k + 1, { nth_weekdays: nthWeekdays }, impliedEvery, nths.length > 1));
  }
  // day-of-month list: "1st and 15th of every month"
  const days: number[] = [];
  k = start;
  for (;;) {
    const d = dom(ctx, k);
    if (d === null) break;
    days.push(d);
    k++;
    let m = k;
    if (w(ctx, m) === ',') m++;
    if (w(ctx, m) === 'and') m++;
    if (m > k && dom(ctx, m) !== null) k = m;
    else break;
  }
  if (days.length === 0) return null;
  if (isAny(ctx, k, ['day'])) k++;
  const bad = days.find((d) => d < 1 || d > 31);
  if (bad !== undefined) return done({ k: 'reject', reason: `there is no ${ordinal(bad)} day in a month`, from: i, to: k });
  const marker = monthMarker(ctx, k);
  if (marker.marker === 'none' && !impliedEvery && days.length === 1) return null;
  return done(finish(ctx, i, k, { month_days: days }, impliedEvery, days.length > 1));
}

function finish(
  ctx: Ctx,
  from: number,
  k: number,
  fields: Pick<Extract<Frag, { k: 'monthly' }>, 'month_days' | 'nth_weekdays' | 'month_day_rule'>,
  impliedEvery: boolean,
  listed = false,
): Frag {
  const month = w(ctx, k) === 'of' || w(ctx, k) === 'in' ? MONTHS[w(ctx, k + 1)] : undefined;
  if (month !== undefined) return { k: 'monthly', ...fields, months: [month], marker: impliedEvery ? 'every' : 'the', from, to: k + 2 };
  const m = monthMarker(ctx, k);
  const marker: Marker = impliedEvery ? 'every' : m.marker === 'none' && listed ? 'none' : m.marker;
  return { k: 'monthly', ...fields, marker, from, to: m.end };
}

/** "every ..." / "each ...". */
export function parseEvery(ctx: Ctx, i: number): Frag | null {
  if (!isAny(ctx, i, ['every', 'each'])) return null;
  const j = seq(ctx, i + 1, ['single']) > 0 ? i + 2 : i + 1;
  const cad = (every: CadenceFields): Frag => ({
    k: 'cadence',
    explicit: true,
    from: i,
    ...every,
  });

  // every other / every second / every third ...
  const skipWord = w(ctx, j);
  const skipN = skipWord === 'other' || skipWord === 'alternate' ? 2 : ORDINAL_WORDS[skipWord];
  if (skipN !== undefined && skipN >= 2 && skipN <= 12) {
    const u = parseUnit(ctx, j + 1);
    if (u !== null) return cad({ every: u.unit, interval: skipN, to: u.end });
    if (w(ctx, j + 1) === 'fortnight') return cad({ every: 'week', interval: 2 * skipN, to: j + 2 });
    const days = parseWeekdays(ctx, j + 1);
    if (days !== null && (days.k === 'days' || (days.k === 'date' && days.date.type === 'weekday'))) {
      const weekdays = days.k === 'days' ? days.weekdays : days.k === 'date' && days.date.type === 'weekday' ? [days.date.weekday] : [];
      if (skipWord === 'other' || skipWord === 'alternate') return cad({ every: 'week', interval: 2, weekdays, to: days.to });
      const name = weekdays.map((d) => WEEKDAY_NAMES[d]).join(' and ');
      return {
        k: 'clarify',
        question: `Do you mean the ${skipWord} ${name} of each month, or every ${skipN === 2 ? 'other' : `${skipN} weeks on`} ${name}?`,
        from: i,
        to: days.to,
      };
    }
    if (skipWord === 'second') return cad({ every: 'second', interval: 1, to: j + 1 });
  }
  // every 15 minutes / every 1.5 hours / every -3 hours / every half hour
  const d = parseDuration(ctx, j);
  if (d !== null && !('frag' in d)) {
    const entries = Object.entries(d.duration);
    const sign = durationSign(d.duration);
    if (sign === 'negative') return { k: 'reject', reason: 'an interval cannot be negative', from: i, to: d.end };
    if (sign === 'zero') return { k: 'reject', reason: 'an interval of zero never repeats', from: i, to: d.end };
    if (entries.length === 1 && entries[0] !== undefined) {
      const [key, n] = entries[0];
      const unit = key.replace(/s$/, '') as 'second';
      if (Number.isInteger(n)) return cad({ every: unit, interval: n, to: onTheHour(ctx, d.end), ...(d.notes.length ? { notes: d.notes } : {}) });
    }
    const secs = (d.duration.hours ?? 0) * 3600 + (d.duration.minutes ?? 0) * 60 + (d.duration.seconds ?? 0);
    const calendar = (d.duration.days ?? 0) + (d.duration.weeks ?? 0) + (d.duration.months ?? 0) + (d.duration.years ?? 0);
    if (calendar === 0 && Number.isInteger(secs)) {
      if (secs % 60 === 0) return cad({ every: 'minute', interval: secs / 60, to: d.end });
      return cad({ every: 'second', interval: secs, to: d.end });
    }
    return { k: 'clarify', question: 'Please give the interval in whole units, like "every 36 hours".', from: i, to: d.end };
  }
  if (w(ctx, j) === 'fortnight') return cad({ every: 'week', interval: 2, to: j + 1 });
  const u = parseUnit(ctx, j);
  if (u !== null && u.unit !== 'second' && tok(ctx, j)?.v.length !== 1)
    return cad({ every: u.unit, interval: 1, to: onTheHour(ctx, u.end) });
  // every morning / every night
  const tod = w(ctx, j);
  if (['morning', 'afternoon', 'evening', 'night'].includes(tod))
    return cad({ every: 'day', interval: 1, time_of_day: tod as TimeOfDay, to: j + 1 });
  // every weekday / every weekend
  let k = seq(ctx, j, ['weekday|weekdays|workday|workdays']);
  if (k < 0) k = seq(ctx, j, ['business|working', 'day|days']);
  if (k > 0) return cad({ every: 'week', interval: 1, weekdays: [1, 2, 3, 4, 5], to: k });
  k = seq(ctx, j, ['weekend|weekends']);
  if (k > 0) {
    if (w(ctx, k) === 'day' || w(ctx, k) === 'days') k++;
    return cad({ every: 'week', interval: 1, weekdays: [0, 6], to: k });
  }
  // every year on ... handled by the unit above; every March 3 / every 31st of February
  const md = parseMonthDay(ctx, j);
  if (md !== null) {
    if (md.k === 'reject') return { ...md, from: i, reason: md.reason.replace(/ has no /, ' never has a ') };
    if (md.k === 'date' && md.date.type === 'calendar' && md.date.year === undefined)
      return cad({ every: 'year', interval: 1, months: [md.date.month], month_days: [md.date.day], to: md.to });
  }
  // every Monday / every Monday, Wednesday and Friday / every Sunday night
  const days = parseWeekdays(ctx, j);
  if (days !== null && days.k === 'days') {
    const t = todAfter(ctx, days.to);
    return cad({ every: 'week', interval: 1, weekdays: days.weekdays, to: t.end, ...(t.tod ? { time_of_day: t.tod } : {}) });
  }
  if (days !== null && days.k === 'date' && days.date.type === 'weekday' && days.date.which === 'this' && days.from === j) {
    const end = days.to;
    const t = todAfter(ctx, end);
    return cad({ every: 'week', interval: 1, weekdays: [days.date.weekday], to: t.end, ...(t.tod ? { time_of_day: t.tod } : {}) });
  }
  // every first Monday (of the month) / every 15th / every last day of the month
  const m = parseMonthly(ctx, j, true);
  if (m !== null) {
    if (m.k !== 'monthly') return { ...m, from: i };
    const { month_days, nth_weekdays, month_day_rule, months } = m;
    return cad({
      every: months === undefined ? 'month' : 'year',
      ...(months === undefined ? {} : { months }),
      interval: 1,
      to: m.to,
      ...(month_days ? { month_days } : {}),
      ...(nth_weekdays ? { nth_weekdays } : {}),
      ...(month_day_rule ? { month_day_rule } : {}),
    });
  }
  return null;
}

function onTheHour(ctx: Ctx, i: number): number {
  const j = seq(ctx, i, ['on', 'the', 'hour']);
  return j > 0 ? j : i;
}

function todAfter(ctx: Ctx, i: number): { tod?: TimeOfDay; end: number } {
  const v = w(ctx, i);
  if (['morning', 'afternoon', 'evening', 'night'].includes(v)) return { tod: v as TimeOfDay, end: i + 1 };
  return { end: i };
}

/** "daily", "weekly", "hourly", "nightly", "biweekly", "twice a day", "once a week". */
export function parseFrequency(ctx: Ctx, i: number): Frag | null {
  const v = w(ctx, i);
  const base = { k: 'cadence' as const, explicit: false, from: i, to: i + 1, soft: true };
  switch (v) {
    case 'daily':
      return { ...base, every: 'day', interval: 1 };
    case 'nightly':
      return { ...base, every: 'day', interval: 1, time_of_day: 'night' };
    case 'weekly':
      return { ...base, every: 'week', interval: 1 };
    case 'monthly':
      return { ...base, every: 'month', interval: 1 };
    case 'yearly':
    case 'annually':
      return { ...base, every: 'year', interval: 1 };
    case 'hourly':
      return { ...base, every: 'hour', interval: 1 };
    case 'quarterly':
      return { ...base, every: 'month', interval: 3 };
    case 'fortnightly':
      return { ...base, every: 'week', interval: 2 };
    case 'biweekly':
    case 'bi-weekly':
      return { ...base, every: 'week', interval: 2, notes: ['"biweekly" read as every 2 weeks (not twice a week).'] };
    default:
      break;
  }
  // once/twice/N times a day|week|month
  let n: number | null = null;
  let j = i + 1;
  if (v === 'once') n = 1;
  else if (v === 'twice') n = 2;
  else if (v === 'thrice') n = 3;
  else {
    const num = parseNumber(ctx, i, false);
    if (num !== null && w(ctx, num.end) === 'times') [n, j] = [num.n, num.end + 1];
  }
  if (n === null) return null;
  const k = seq(ctx, j, ['a|per|each|every', 'day|week|month|year|hour']);
  const k2 = seq(ctx, j, ['daily|weekly|monthly|hourly']);
  if (k < 0 && k2 < 0) return null;
  const unitWord = k > 0 ? w(ctx, j + 1) : { daily: 'day', weekly: 'week', monthly: 'month', hourly: 'hour' }[w(ctx, j)];
  const unit = (unitWord ?? 'day') as 'day';
  if (n < 1) return { k: 'reject', reason: 'a schedule must run at least once', from: i, to: Math.max(k, k2) };
  return { k: 'cadence', explicit: false, from: i, to: Math.max(k, k2), every: unit, interval: 1, ...(n > 1 ? { per_unit: n } : {}) };
}

/** "until Dec 31", "for the next 3 weeks", "5 times", "starting at 3pm today", "from tomorrow". */
export function parseCondition(ctx: Ctx, i: number): Frag | null {
  const v = w(ctx, i);
  // until ...
  let j = -1;
  if (['until', 'till', 'til', "'til", 'through', 'thru', 'ending', 'ends', 'end'].includes(v)) j = i + 1;
  else if (seq(ctx, i, ['up', 'to|until']) > 0) j = i + 2;
  if (j > 0) {
    if (seq(ctx, j, ['further', 'notice']) > 0) return { k: 'remind', from: i, to: j + 2 };
    if ((v === 'ending' || v === 'ends' || v === 'end') && isAny(ctx, j, ['on', 'at', 'by'])) j++;
    else if (v === 'end' || v === 'ends' || v === 'ending') {
      if (!isAny(ctx, j, ['on', 'at', 'by'])) return null;
    }
    const m = parseMoment(ctx, j);
    if (m === null) return null;
    if ('k' in m) return { ...m, from: i };
    return { k: 'until', moment: m.moment, from: i, to: m.end, ...(m.notes.length ? { notes: m.notes } : {}) };
  }
  // for the next 3 weeks / for 5 days / for 3 times
  if (v === 'for') {
    if (w(ctx, i + 1) === 'ever' || w(ctx, i + 1) === 'good') return { k: 'remind', from: i, to: i + 2 };
    j = skip(ctx, i + 1, ['the']);
    j = skip(ctx, j, ['next', 'following', 'coming']);
    const num = parseNumber(ctx, j);
    if (num !== null && w(ctx, num.end) === 'times') return countFrag(num.n, i, num.end + 1);
    const d = parseDuration(ctx, j);
    if (d === null) return null;
    if ('frag' in d) return { ...d.frag, from: i };
    const sign = durationSign(d.duration);
    if (sign !== 'positive') return { k: 'reject', reason: 'the length of a schedule must be positive', from: i, to: d.end };
    return { k: 'for', duration: d.duration, from: i, to: d.end, ...(d.notes.length ? { notes: d.notes } : {}) };
  }
  // 5 times / 5 more times
  const num = parseNumber(ctx, i, false);
  if (num !== null) {
    let k = num.end;
    if (w(ctx, k) === 'more') k++;
    if (w(ctx, k) === 'times' && !isAny(ctx, k + 1, ['a', 'per', 'each', 'every', 'daily', 'weekly', 'monthly', 'hourly'])) {
      const end = seq(ctx, k + 1, ['in', 'total']) > 0 ? k + 3 : k + 1;
      return countFrag(num.n, i, end);
    }
  }
  // starting ... / from ...
  const starts = ['starting', 'beginning', 'begin', 'start', 'starts', 'commencing', 'effective', 'from'];
  if (starts.includes(v) || seq(ctx, i, ['as', 'of']) > 0) {
    j = v === 'as' ? i + 2 : i + 1;
    if (seq(ctx, j, ['now', 'on']) > 0) return { k: 'start', moment: {}, from: i, to: j + 2 };
    if (v !== 'from') j = skip(ctx, j, ['on', 'at', 'from', 'in']);
    const m = parseMoment(ctx, j);
    if (m === null) return null;
    if ('k' in m) return { ...m, from: i };
    return { k: 'start', moment: m.moment, from: i, to: m.end, ...(m.notes.length ? { notes: m.notes } : {}) };
  }
  return null;
}

function countFrag(n: number, from: number, to: number): Frag {
  if (!Number.isInteger(n) || n < 1) return { k: 'reject', reason: 'the number of times must be a whole number of at least 1', from, to };
  return { k: 'count', n, from, to };
}

/** "remind me", "set a reminder", "please", "can you". */
export function parseRemind(ctx: Ctx, i: number): Frag | null {
  const patterns: string[][] = [
    ['remind', 'me|us'],
    ['set|create|add|make|schedule', 'a|an', 'reminder|alarm'],
    ['set|create|add', 'reminder|reminders'],
    ['ping|notify|alert|nudge|tell|text|message|email', 'me|us'],
    ['can|could|would|will', 'you'],
    ['please|pls|plz|kindly'],
    ['reminder'],
    ['remind'],
  ];
  for (const p of patterns) {
    const j = seq(ctx, i, p);
    if (j > 0) return { k: 'remind', from: i, to: w(ctx, j) === ':' ? j + 1 : j };
  }
  return null;
}

/** Words that promise a time without giving one: "later", "soon", "sometime". */
export function parseVague(ctx: Ctx, i: number): Frag | null {
  const q = 'When exactly? Please give a time (like "at 3pm") or a delay (like "in 20 minutes").';
  for (const p of [['later', 'today|tonight|on'], ['later'], ['soon'], ['sometime|someday|eventually|whenever'], ['some', 'time|day'], ['at', 'some', 'point']]) {
    const j = seq(ctx, i, p);
    if (j > 0) return { k: 'clarify', question: q, from: i, to: j };
  }
  return null;
}
