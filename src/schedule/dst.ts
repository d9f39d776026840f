import { formatDay, formatOffset } from './format.js';
import { computeNextRuns } from './next-runs.js';
import type { ScheduleSpec } from './spec.js';
import { MS_PER_DAY, formatClock, offsetMinutes, parseClock, zonedFields } from './wall-clock.js';

export interface Transition {
  /** First instant with the new offset. */
  at: number;
  before: number;
  after: number;
}

const MAX_CACHED = 200;
const cache = new Map<string, Transition[]>();

/** Offset changes of `zone` in [fromMs, toMs): sampled weekly, then bisected to the minute. */
export function findTransitions(zone: string, fromMs: number, toMs: number): Transition[] {
  const key = `${zone}|${Math.floor(fromMs / (7 * MS_PER_DAY))}|${Math.round((toMs - fromMs) / MS_PER_DAY)}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const out: Transition[] = [];
  const step = 7 * MS_PER_DAY;
  let prevMs = fromMs;
  let prev = offsetMinutes(zone, prevMs);
  for (let t = fromMs + step; t < toMs + step; t += step) {
    const cur = offsetMinutes(zone, t);
    if (cur !== prev) {
      let lo = prevMs;
      let hi = t;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (offsetMinutes(zone, mid) === prev) lo = mid;
        else hi = mid;
      }
      out.push({ at: hi, before: prev, after: offsetMinutes(zone, hi) });
    }
    prev = cur;
    prevMs = t;
  }
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, out);
  return out;
}

/** The nominal local times ("HH:MM") of a fixed-time schedule; empty for elapsed-time ones. */
function nominalTimes(spec: ScheduleSpec): string[] {
  if (spec.kind === 'calendar') return spec.times;
  if (spec.kind === 'cron') {
    const out: string[] = [];
    for (const p of spec.patterns) {
      const f = p.trim().split(/\s+/);
      const [min, hour] = f.length === 6 ? [f[1], f[2]] : [f[0], f[1]];
      if (min === undefined || hour === undefined || !/^\d+$/.test(min)) continue;
      for (const h of hour.split(',')) if (/^\d+$/.test(h)) out.push(`${h.padStart(2, '0')}:${min.padStart(2, '0')}`);
    }
    return out;
  }
  return [];
}

/**
 * Notes for the next year's DST changes that move or merge a run of a fixed-time schedule:
 * "02:30 does not exist on Sun 9 Mar 2025 ...: that run happens at 03:00".
 */
export function dstNotes(spec: ScheduleSpec, nowMs: number): string[] {
  const times = nominalTimes(spec).filter((t) => {
    const c = parseClock(t);
    return c !== null && (c.hour >= 21 || c.hour < 5);
  });
  if (times.length === 0) return [];
  const notes: string[] = [];
  let gapDone = false;
  let foldDone = false;
  for (const tr of findTransitions(spec.timezone, nowMs, nowMs + 366 * MS_PER_DAY)) {
    const gap = tr.after > tr.before;
    if ((gap && gapDone) || (!gap && foldDone)) continue;
    const lo = tr.at + Math.min(tr.before, tr.after) * 60_000;
    const hi = tr.at + Math.max(tr.before, tr.after) * 60_000;
    const runs = computeNextRuns(spec, { after: new Date(tr.at - MS_PER_DAY), limit: times.length * 2 + 2 });
    for (const t of times) {
      const c = parseClock(t);
      if (c === null) continue;
      const day = zonedFields('UTC', lo);
      const wall = Date.UTC(day.year, day.month - 1, day.day, c.hour, c.minute);
      if (wall < lo || wall >= hi) continue;
      if (gap && runs.some((r) => r.getTime() === tr.at)) {
        notes.push(`${t} does not exist on ${formatDay(day)} in ${spec.timezone} (clocks jump forward): that run happens at ${formatClock(zonedFields(spec.timezone, tr.at))}.`);
        gapDone = true;
        break;
      }
      const first = wall - tr.before * 60_000;
      if (!gap && runs.some((r) => r.getTime() === first)) {
        notes.push(`${t} happens twice on ${formatDay(day)} in ${spec.timezone} (clocks go back): it runs once, at the first one (UTC${formatOffset(tr.before)}).`);
        foldDone = true;
        break;
      }
    }
  }
  return notes;
}
