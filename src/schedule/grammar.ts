import type { Ctx, Frag } from './grammar-core.js';
import { parseDate } from './grammar-date.js';
import { parseOffset } from './grammar-duration.js';
import { parseCondition, parseEvery, parseFrequency, parseMonthly, parseRemind, parseVague } from './grammar-recur.js';
import { parseTimeOfDay, parseTimes, parseWindow } from './grammar-time.js';
import { tokenize } from './tokenize.js';
import { parseZone } from './zones.js';

/** One rule: recognises a phrase starting at token i. */
type Rule = (ctx: Ctx, i: number) => Frag | null;

/** Most specific first: a rule earlier in the list wins at the same position. */
const RULES: Rule[] = [
  parseRemind,
  parseVague,
  parseEvery,
  parseFrequency,
  parseWindow,
  parseCondition,
  (ctx, i) => parseMonthly(ctx, i),
  parseOffset,
  parseDate,
  parseTimes,
  parseTimeOfDay,
];

export interface Scan {
  ctx: Ctx;
  /** Recognised fragments in text order. */
  frags: Frag[];
  /** Token indices no rule consumed, in order. */
  leftover: number[];
}

/**
 * Reads the text left to right: at each token the first rule that matches consumes its phrase;
 * a token no rule matches is left over (it becomes the task, or a reason to ask).
 */
export function scan(text: string, locale: Ctx['locale']): Scan {
  const ctx: Ctx = { toks: tokenize(text), text, locale };
  const frags: Frag[] = [];
  const leftover: number[] = [];
  let i = 0;
  while (i < ctx.toks.length) {
    const prev = frags[frags.length - 1];
    const afterTime = prev !== undefined && prev.to === i && (prev.k === 'times' || prev.k === 'window' || prev.k === 'tod');
    let hit: Frag | null = parseZone(ctx, i, afterTime);
    if (hit === null) {
      for (const rule of RULES) {
        hit = rule(ctx, i);
        if (hit !== null) break;
      }
    }
    if (hit !== null && hit.to > i) {
      frags.push(hit);
      i = hit.to;
    } else {
      leftover.push(i);
      i++;
    }
  }
  return { ctx, frags, leftover };
}
