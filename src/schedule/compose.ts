import type { DateRef, Moment, RecurrenceDraft, ScheduleDraft, TimeRef } from './draft.js';
import { type Ctx, type Frag, type FragOf, raw } from './grammar-core.js';
import type { Scan } from './grammar.js';
import { CONNECTIVES, DANGER_WORDS, NUMBERISH_WORDS, STRONG_TIME_WORDS, type TimeOfDay, TIME_WORDS } from './lexicon.js';
import { isZoneWord } from './zones.js';

/** Words that introduce the task ("remind me to ...", "... about the dentist"). */
const TASK_MARKERS = new Set(['to', 'about', 'that', 're', 'regarding']);
const EDGE_FILLER = new Set([',', '.', ';', ':', '!', '?', '-', 'and', 'then', 'also', 'please', 'so']);

interface Run {
  from: number;
  to: number;
  /** Token indices of fragments given back to the task (already understood words). */
  absorbed?: Set<number>;
}

/** A leftover run with words that mean something (not only "and", "at", ","). */
function meaningful(ctx: Ctx, r: Run): boolean {
  for (let i = r.from; i < r.to; i++) if (!CONNECTIVES.has(ctx.toks[i]?.v ?? '')) return true;
  return false;
}

function runsOf(leftover: number[]): Run[] {
  const runs: Run[] = [];
  for (const i of leftover) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.to === i) last.to = i + 1;
    else runs.push({ from: i, to: i + 1 });
  }
  return runs;
}

const isSchedule = (f: Frag): boolean => f.k !== 'remind';

/**
 * Gives soft fragments sandwiched inside the task back to it ("send the weekly report every
 * Monday": "weekly" is part of the task), as long as a schedule remains without them.
 */
function absorb(ctx: Ctx, frags: Frag[], runs: Run[]): { frags: Frag[]; runs: Run[] } {
  const real = runs.filter((r) => meaningful(ctx, r));
  for (let a = 0; a + 1 < real.length; a++) {
    const ra = real[a] as Run;
    const rb = real[a + 1] as Run;
    const between = frags.filter((f) => f.from >= ra.to && f.to <= rb.from);
    if (between.length === 0 || between.length > 2 || !between.every((f) => f.soft === true)) continue;
    const rest = frags.filter((f) => !between.includes(f));
    if (!rest.some(isSchedule)) continue;
    const absorbed = new Set([...(ra.absorbed ?? []), ...(rb.absorbed ?? [])]);
    for (const f of between) for (let t = f.from; t < f.to; t++) absorbed.add(t);
    const merged: Run = { from: ra.from, to: rb.to, absorbed };
    const others = runs.filter((r) => r.to <= ra.from || r.from >= rb.to);
    return absorb(ctx, rest, [...others, merged].sort((x, y) => x.from - y.from));
  }
  return { frags, runs };
}

export type TaskOutcome = { task: string } | { question: string; unplaced: boolean };

/** The task text from the leftover runs, or a question when leftovers look like unread schedule words. */
function taskFrom(ctx: Ctx, runs: Run[]): TaskOutcome {
  const parts: string[] = [];
  let first = true;
  for (const r of runs) {
    if (!meaningful(ctx, r)) continue;
    let from = r.from;
    let to = r.to;
    while (from < to && EDGE_FILLER.has(ctx.toks[from]?.v ?? '')) from++;
    while (to > from && EDGE_FILLER.has(ctx.toks[to - 1]?.v ?? '')) to--;
    const marked = TASK_MARKERS.has(ctx.toks[from]?.v ?? '');
    for (let i = from; i < to; i++) {
      const t = ctx.toks[i];
      if (t === undefined || r.absorbed?.has(i) === true) continue;
      if (DANGER_WORDS.has(t.v))
        return { question: `I can't apply "${raw(ctx, from, to)}" to a schedule yet. Could you say it another way?`, unplaced: false };
      const word = t.v.replace(/'s$/, '');
      const timeish =
        TIME_WORDS.has(word) ||
        NUMBERISH_WORDS.has(word) ||
        isZoneWord(word) ||
        ['num', 'ord', 'clock', 'isodate', 'slashdate', 'zone'].includes(t.kind);
      if (marked ? STRONG_TIME_WORDS.has(t.v) : timeish)
        return { question: `I couldn't work out what "${raw(ctx, from, to)}" means for the schedule. Could you rephrase it?`, unplaced: true };
    }
    // "remind me to X ... about Y": only the first marker is scheduling glue.
    if (marked && first) from++;
    first = false;
    if (from < to) parts.push(raw(ctx, from, to));
  }
  return { task: parts.join(' ').trim() };
}

interface Group {
  conflict?: string;
  cadence?: FragOf<'cadence'>;
  days?: FragOf<'days'>;
  monthly?: FragOf<'monthly'>;
  dates: DateRef[];
  times: TimeRef[];
  tods: TimeOfDay[];
  window?: FragOf<'window'>;
}

const hasRule = (g: Group): boolean => g.cadence !== undefined || g.days !== undefined || g.monthly !== undefined || g.dates.length > 0;

function group(frags: Frag[], nearTask: Set<Frag>): Group[] {
  const groups: Group[] = [];
  let cur: Group | undefined;
  const fresh = (): Group => {
    cur = { dates: [], times: [], tods: [] };
    groups.push(cur);
    return cur;
  };
  for (const f of frags) {
    let g: Group = cur ?? fresh();
    switch (f.k) {
      case 'cadence':
        if (g.cadence && (!f.explicit || !g.cadence.explicit)) {
          // "weekly ... daily": two rhythms for one schedule.
          g.conflict = 'How often should it repeat? I read two different rhythms.';
          break;
        }
        if (g.cadence || (f.weekdays && g.days) || ((f.month_days || f.nth_weekdays) && g.monthly)) g = fresh();
        g.cadence = f;
        break;
      case 'days':
        if (g.days || g.cadence?.weekdays) g = fresh();
        g.days = f;
        break;
      case 'monthly':
        if (g.monthly || g.cadence?.month_days || g.cadence?.nth_weekdays) g = fresh();
        g.monthly = f;
        break;
      case 'date':
        // A bare weekday inside a repeating schedule may belong to the task ("ask about Monday every Friday").
        if (f.soft === true && f.date.type === 'weekday' && nearTask.has(f)) g.conflict = 'Is that day part of the schedule (say "on ...") or part of the task?';
        g.dates.push(f.date);
        break;
      case 'times':
        if (g.times.length > 0 && hasRule(g)) g = fresh();
        g.times.push(...f.times);
        break;
      case 'tod':
        if (f.date !== undefined) g.dates.push(f.date);
        g.tods.push(f.tod);
        break;
      case 'window':
        if (g.window) g = fresh();
        g.window = f;
        break;
      default:
        break;
    }
  }
  // A group holding only times belongs to the rule before it ("every day at 9am, and at 5pm").
  const out: Group[] = [];
  for (const g of groups) {
    const prev = out[out.length - 1];
    if (!hasRule(g) && prev !== undefined) {
      prev.conflict ??= g.conflict;
      prev.times.push(...g.times);
      prev.tods.push(...g.tods);
      prev.window ??= g.window;
    } else out.push(g);
  }
  // "every Monday and every Thursday at 2pm": the time is shared.
  const withTimes = out.find((g) => g.times.length > 0 || g.tods.length > 0);
  if (out.length > 1 && withTimes !== undefined)
    for (const g of out)
      if (g.times.length === 0 && g.tods.length === 0 && g.window === undefined) {
        g.times = [...withTimes.times];
        g.tods = [...withTimes.tods];
      }
  return out;
}

type Built = { recurrence: RecurrenceDraft; notes: string[] } | { question: string } | { reject: string };

function buildRecurrence(g: Group): Built {
  if (g.conflict !== undefined) return { question: g.conflict };
  const c = g.cadence;
  const notes: string[] = [];
  let every: RecurrenceDraft['every'] | undefined = c?.every;
  const interval = c?.interval ?? 1;
  const weekdays = new Set<number>([...(c?.weekdays ?? []), ...(g.days?.weekdays ?? [])]);
  const monthDays = [...(c?.month_days ?? []), ...(g.monthly?.month_days ?? [])];
  const nth = [...(c?.nth_weekdays ?? []), ...(g.monthly?.nth_weekdays ?? [])];
  const rule = c?.month_day_rule ?? g.monthly?.month_day_rule;
  const months = [...(c?.months ?? []), ...(g.monthly?.months ?? [])];
  for (const d of g.dates) {
    if (d.type === 'weekday' && d.which === 'this') weekdays.add(d.weekday);
    else if (d.type === 'day_of_month') monthDays.push(d.day);
    else if (d.type === 'calendar' && d.year === undefined && (every === undefined || every === 'year')) {
      months.push(d.month);
      monthDays.push(d.day);
      every ??= 'year';
    } else return { question: 'Do you mean the schedule should start on that day? Please say "starting ..." with the day.' };
  }
  const hasMonthly = monthDays.length > 0 || nth.length > 0 || rule !== undefined;
  if (every === undefined) {
    if (hasMonthly) {
      every = 'month';
      if (g.monthly?.marker === 'none') notes.push('Read as every month.');
    } else if (weekdays.size > 0) every = 'week';
    else return { question: 'How often should it repeat?' };
  }
  if (g.monthly?.marker === 'the' && c === undefined)
    return { question: g.monthly.months ? 'Every year, or only this year?' : 'Every month, or only this month?' };
  if (months.length > 0 && every === 'month' && c === undefined) every = 'year';
  if (weekdays.size > 0 && (every === 'month' || every === 'year'))
    return { question: 'Do you mean certain weekdays, or certain days of the month?' };
  if (months.length > 0 && every !== 'year') return { question: 'Every year in that month?' };
  if (hasMonthly && every !== 'month' && every !== 'year')
    return { question: `Should it repeat every ${every} or every month?` };
  const tods = [...new Set([...g.tods, ...(c?.time_of_day ? [c.time_of_day] : [])])];
  if (tods.length > 1) return { question: 'Which time of day do you mean?' };
  if (c?.per_unit !== undefined && g.times.length !== c.per_unit)
    return { question: `At what ${c.per_unit} times of the ${c.every}?` };
  if (g.window !== undefined && every !== 'second' && every !== 'minute' && every !== 'hour')
    return { question: 'How often within that time window (for example "every 30 minutes")?' };
  const recurrence: RecurrenceDraft = {
    every,
    interval,
    ...(weekdays.size > 0 ? { weekdays: [...weekdays].sort((a, b) => a - b) } : {}),
    ...(monthDays.length > 0 ? { month_days: [...new Set(monthDays)] } : {}),
    ...(rule !== undefined ? { month_day_rule: rule } : {}),
    ...(nth.length > 0 ? { nth_weekdays: nth } : {}),
    ...(months.length > 0 ? { months: [...new Set(months)] } : {}),
    ...(g.times.length > 0 ? { times: g.times } : {}),
    ...(tods[0] !== undefined ? { time_of_day: tods[0] } : {}),
    ...(g.window !== undefined ? { window: { from: g.window.open, to: g.window.close } } : {}),
  };
  return { recurrence, notes };
}

function buildOnce(frags: Frag[]): { moment: Moment } | { question: string } | null {
  const m: Moment = {};
  for (const f of frags) {
    switch (f.k) {
      case 'date':
        if (m.date !== undefined) return { question: 'Which day do you mean? I read two different days.' };
        m.date = f.date;
        break;
      case 'tod':
        if (f.date !== undefined) {
          if (m.date !== undefined) return { question: 'Which day do you mean? I read two different days.' };
          m.date = f.date;
        }
        if (m.time_of_day !== undefined) return { question: 'Which time of day do you mean?' };
        m.time_of_day = f.tod;
        break;
      case 'times':
        if (m.time !== undefined || f.times.length > 1)
          return { question: 'Should that repeat (every day at those times), or is it one reminder? Please give one time for a one-off.' };
        m.time = f.times[0];
        break;
      case 'offset':
        if (m.offset !== undefined) return { question: 'When exactly? I read two different delays.' };
        m.offset = f.offset;
        break;
      case 'days':
        return { question: 'Should that repeat every week on those days, or happen once?' };
      case 'monthly':
        return { question: f.months ? 'Every year, or only this year?' : 'Every month, or only this month?' };
      case 'window':
        return { question: 'A time window needs a repeating schedule, like "every 30 minutes from 9 to 5". How often?' };
      case 'start':
      case 'until':
      case 'for':
      case 'count':
        return { question: 'How often should it repeat?' };
      default:
        break;
    }
  }
  if (m.offset !== undefined && m.date !== undefined) return { question: 'When exactly? I read both a delay and a day.' };
  if (m.offset !== undefined && (m.time !== undefined || m.time_of_day !== undefined)) {
    const o = m.offset;
    if (o.hours !== undefined || o.minutes !== undefined || o.seconds !== undefined)
      return { question: 'When exactly? I read both a delay and a time of day.' };
  }
  if (m.offset === undefined && m.date === undefined && m.time === undefined && m.time_of_day === undefined) return null;
  return { moment: m };
}

export interface Composed {
  /** Null when the words hold no schedule. */
  draft: ScheduleDraft | null;
  /** Words that look like dates or times were left over (a general date reader may know them). */
  unplaced: boolean;
}

/**
 * Turns the grammar's fragments into a ScheduleDraft: finds the task, groups the recurrence
 * clauses, and turns anything unclear into a question.
 */
export function composeDraft(s: Scan): Composed {
  const { frags, runs } = absorb(s.ctx, s.frags, runsOf(s.leftover));
  const task = taskFrom(s.ctx, runs);
  return { draft: compose(s.ctx, frags, runs, task), unplaced: 'unplaced' in task && task.unplaced };
}

function compose(ctx: Ctx, frags: Frag[], runs: Run[], task: TaskOutcome): ScheduleDraft | null {
  const schedule = frags.filter(isSchedule);
  if (schedule.length === 0) return null;
  const notes = schedule.flatMap((f) => f.notes ?? []);
  const base = (extra: Partial<ScheduleDraft>): ScheduleDraft => ({
    ...('task' in task ? { task: task.task } : {}),
    ...(notes.length > 0 ? { assumptions: notes } : {}),
    ...extra,
  });
  const reject = schedule.find((f): f is FragOf<'reject'> => f.k === 'reject');
  if (reject !== undefined) return base({ reject_reason: reject.reason });
  const clarify = schedule.find((f): f is FragOf<'clarify'> => f.k === 'clarify');
  if (clarify !== undefined) return base({ needs_clarification: true, question: clarify.question });
  if ('question' in task) return base({ needs_clarification: true, question: task.question });

  const zones = [...new Set(schedule.flatMap((f) => (f.k === 'zone' ? [f.zone] : [])))];
  if (zones.length > 1) return base({ needs_clarification: true, question: `Which time zone: ${zones.join(' or ')}?` });
  const draft: ScheduleDraft = base(zones[0] !== undefined ? { timezone: zones[0] } : {});
  const onlyOne = <K extends 'start' | 'until' | 'for' | 'count'>(k: K): FragOf<K> | 'twice' | undefined => {
    const found = schedule.filter((f): f is FragOf<K> => f.k === k);
    return found.length > 1 ? 'twice' : found[0];
  };
  const start = onlyOne('start');
  const until = onlyOne('until');
  const forDur = onlyOne('for');
  const count = onlyOne('count');
  if ([start, until, forDur, count].includes('twice') || (until !== undefined && forDur !== undefined))
    return { ...draft, needs_clarification: true, question: 'When should it stop? I read two different ends.' };

  const core = schedule.filter((f) => !['zone', 'start', 'until', 'for', 'count'].includes(f.k));
  const recurring = core.some(
    (f) =>
      f.k === 'cadence' ||
      (f.k === 'days' && (f.plural || (core.some((g) => g.k === 'start' || g.k === 'until')))) ||
      (f.k === 'monthly' && f.marker !== 'the'),
  );
  if (!recurring) {
    if (core.length === 0) {
      if (start !== undefined || until !== undefined || forDur !== undefined || count !== undefined)
        return { ...draft, needs_clarification: true, question: 'How often should it repeat?' };
      return null;
    }
    const once = buildOnce(schedule.filter((f) => f.k !== 'zone'));
    if (once === null) return null;
    if ('question' in once) return { ...draft, needs_clarification: true, question: once.question };
    return { ...draft, once: once.moment };
  }
  const recurrences: RecurrenceDraft[] = [];
  // Fragments touching task words: a bare weekday there may belong to the task.
  const meaningfulRuns = runs.filter((r) => meaningful(ctx, r));
  const nearTask = new Set(core.filter((f) => meaningfulRuns.some((r) => r.to === f.from || r.from === f.to)));
  for (const g of group(core, nearTask)) {
    const built = buildRecurrence(g);
    if ('question' in built) return { ...draft, needs_clarification: true, question: built.question };
    if ('reject' in built) return { ...draft, reject_reason: built.reject };
    recurrences.push(built.recurrence);
    if (built.notes.length > 0) draft.assumptions = [...(draft.assumptions ?? []), ...built.notes];
  }
  return {
    ...draft,
    recurrences,
    ...(start !== undefined && start !== 'twice' ? { start: start.moment } : {}),
    ...(until !== undefined && until !== 'twice' ? { until: until.moment } : {}),
    ...(forDur !== undefined && forDur !== 'twice' ? { for: forDur.duration } : {}),
    ...(count !== undefined && count !== 'twice' ? { count: count.n } : {}),
  };
}
