import { AppError } from '../../domain/errors.js';
import { badArguments } from '../result.js';
import type { ChainToolArgs, Operation } from './chain-schema.js';

/** The chain an operation is about: `chain_id`, else `name`. */
export function chainRef(args: ChainToolArgs, op: Operation): string {
  const ref = args.chain_id ?? args.name;
  if (ref === undefined) {
    throw badArguments(
      `operation '${op}' needs chain_id or name`,
      `Pass chain_id (an id like chn_...) or name (the chain's exact name). Use operation 'list' to see the chains.`,
    );
  }
  return ref;
}

export function requireField<K extends keyof ChainToolArgs>(
  args: ChainToolArgs,
  key: K,
  op: Operation,
  hint: string,
): NonNullable<ChainToolArgs[K]> {
  const v = args[key];
  if (v === undefined || v === null) throw badArguments(`operation '${op}' needs ${String(key)}`, hint);
  return v;
}

const RELATIVE = /^(\d+(?:\.\d+)?)\s*(s|sec|seconds?|m|min|minutes?|h|hours?|d|days?|w|weeks?)(?:\s+ago)?$/i;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "7d", "24h", "2 weeks ago", or an ISO date/time → epoch milliseconds. */
export function parseTime(text: string, field: string, now: Date): number {
  const t = text.trim();
  const rel = RELATIVE.exec(t);
  if (rel !== null) {
    const unit = rel[2]!.toLowerCase();
    const key = unit.startsWith('mi') || unit === 'm' ? 'm' : unit[0]!;
    return now.getTime() - Number(rel[1]) * UNIT_MS[key]!;
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return ms;
  }
  throw badArguments(
    `${field} "${text}" is not a time`,
    `Use an ISO date or date-time (2025-03-01, 2025-03-01T08:00:00Z) or an age like 24h, 7d, 2w.`,
  );
}

/** Scheduling is wired by the composition root; without it the scheduling operations explain why. */
export function requireScheduling<T>(s: T | undefined): T {
  if (s === undefined) {
    throw new AppError('scheduling_unavailable', 'scheduling is not available in this chainloom process', {
      hint: 'Run chains with operation "run" for now; schedules and reminders need the server started with "chainloom serve".',
    });
  }
  return s;
}

/** Fields that belong to a definition when given at the top level instead of inside `definition`. */
export function definitionFrom(
  args: ChainToolArgs,
  base?: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const top: Record<string, unknown> = {};
  if (args.description !== undefined) top['description'] = args.description;
  if (args.steps !== undefined) top['steps'] = args.steps;
  if (args.tags !== undefined) top['tags'] = args.tags;
  if (args.definition === undefined && Object.keys(top).length === 0) return undefined;
  return { ...(base ?? {}), ...(args.definition ?? {}), ...top };
}
