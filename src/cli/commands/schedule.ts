import { AppError } from '../../domain/errors.js';
import type { RemindResult, ScheduleRecord, TriggerRecord } from '../../engine/schedule-ports.js';
import type { App } from '../app.js';
import { type Args, flag, has } from '../args.js';
import * as fmt from '../format.js';
import type { Io } from '../io.js';

const print = (io: Io, args: Args, json: unknown, text: () => string): void =>
  void io.stdout.write(`${has(args, 'json') ? JSON.stringify(json, null, 2) : text()}\n`);

function scheduleText(s: ScheduleRecord): string {
  const state = !s.enabled ? 'paused or removed' : s.nextRunAt === null ? 'finished' : `next ${s.next.slice(0, 3).join(', ')}`;
  return `${s.id}  ${s.chainName}: ${s.description} — ${state} (catch-up ${s.catchUp}, overlap ${s.overlap})`;
}

export function remindText(r: RemindResult): string {
  if (!r.ok) return r.code === 'needs_clarification' && r.question !== undefined ? `Need to ask: ${r.question}` : `Could not set it: ${r.message}`;
  const u = r.understood;
  return [
    `Reminder set: "${u.task || 'Reminder'}" — ${u.description}`,
    `Next: ${r.schedule.next.slice(0, 3).join(', ') || u.next.slice(0, 3).join(', ')}`,
    ...(u.assumptions.length > 0 ? [`Assumed: ${u.assumptions.join('; ')}`] : []),
    `(${r.schedule.id}; chain "${r.chain.name}")`,
  ].join('\n');
}

/** chainloom remind "<text>" [--tz ZONE] */
export async function remindCommand(app: App, io: Io, args: Args): Promise<number> {
  const text = args.positionals.join(' ').trim();
  if (text === '') throw new AppError('bad_usage', 'remind needs the words, e.g. chainloom remind "every Monday at 8 to send the report"');
  const r = await app.scheduling.remind(text, { timezone: flag(args, 'tz') });
  print(io, args, r, () => remindText(r));
  return r.ok ? 0 : 1;
}

/** chainloom emit <name> [--data JSON] */
export async function emitCommand(app: App, io: Io, args: Args): Promise<number> {
  const name = args.positionals[0];
  if (name === undefined) throw new AppError('bad_usage', 'emit needs an event name');
  let data: unknown = null;
  const raw = flag(args, 'data');
  if (raw !== undefined) {
    try {
      data = JSON.parse(raw);
    } catch {
      throw new AppError('bad_usage', '--data must be JSON', { hint: `Example: --data '{"file":"report.pdf"}'` });
    }
  }
  const res = await app.scheduling.emit(name, data);
  await app.drain();
  const runs = res.runs.map((r) => app.services.getRun(r.id));
  print(io, args, { ...res, runs }, () =>
    runs.length === 0 ? `Event "${name}" recorded; no chain listens to it.` : `Event "${name}" started ${runs.length} run(s):\n${fmt.runsTable(runs)}`,
  );
  return 0;
}

/** chainloom schedule add|list|pause|resume|remove|fires … and trigger add|list|remove */
export async function scheduleCommand(app: App, io: Io, sub: string | undefined, args: Args): Promise<number> {
  const s = app.scheduling;
  const [first, ...rest] = args.positionals;
  switch (sub) {
    case 'add': {
      const when = rest.join(' ').trim();
      if (first === undefined || when === '') throw new AppError('bad_usage', 'use: chainloom schedule add <chain> "<when>"');
      const catchUp = flag(args, 'catch-up') as ScheduleRecord['catchUp'] | undefined;
      const overlap = flag(args, 'overlap') as ScheduleRecord['overlap'] | undefined;
      if (catchUp !== undefined && !['skip', 'run_once', 'run_all'].includes(catchUp)) throw new AppError('bad_usage', '--catch-up is skip, run_once or run_all');
      if (overlap !== undefined && !['skip', 'queue', 'allow'].includes(overlap)) throw new AppError('bad_usage', '--overlap is skip, queue or allow');
      const rec = await s.attach(first, when, { timezone: flag(args, 'tz'), catchUp, overlap, replace: has(args, 'replace') });
      print(io, args, rec, () => `Scheduled: ${scheduleText(rec)}`);
      return 0;
    }
    case 'list':
    case undefined: {
      const list = s.list({ chain: first, includeDisabled: has(args, 'all') });
      print(io, args, list, () => (list.length === 0 ? 'No schedules.' : list.map(scheduleText).join('\n')));
      return 0;
    }
    case 'pause':
    case 'resume':
    case 'remove': {
      if (first === undefined) throw new AppError('bad_usage', `schedule ${sub} needs a schedule id`);
      const rec = sub === 'pause' ? s.pause(first) : sub === 'resume' ? s.resume(first) : s.remove(first);
      print(io, args, rec, () => `${sub === 'remove' ? 'Removed' : sub === 'pause' ? 'Paused' : 'Resumed'}: ${scheduleText(rec)}`);
      return 0;
    }
    case 'fires': {
      if (first === undefined) throw new AppError('bad_usage', 'schedule fires needs a schedule id');
      s.get(first);
      const fires = app.store.schedules.fires(first, Number(flag(args, 'limit') ?? 20));
      print(io, args, fires, () =>
        fmt.table(
          fires.map((f) => [new Date(f.slotMs).toISOString(), f.outcome, f.runId ?? '', new Date(f.firedAtMs).toISOString()]),
          ['SLOT', 'OUTCOME', 'RUN', 'FIRED AT'],
        ),
      );
      return 0;
    }
    default:
      throw new AppError('bad_usage', `unknown schedule subcommand "${sub}"`, { hint: 'Subcommands: add, list, pause, resume, remove, fires.' });
  }
}

export async function triggerCommand(app: App, io: Io, sub: string | undefined, args: Args): Promise<number> {
  const [first, second] = args.positionals;
  const text = (t: TriggerRecord): string => `${t.id}  ${t.chainName} runs on "${t.event}"`;
  switch (sub) {
    case 'add': {
      if (first === undefined || second === undefined) {
        throw new AppError('bad_usage', 'use: chainloom trigger add <chain> <event>', {
          hint: 'An event is a name you emit, or chain.completed:<chain> / chain.failed:<chain>.',
        });
      }
      const t = app.scheduling.addTrigger(first, second);
      print(io, args, t, () => `Trigger added: ${text(t)}`);
      return 0;
    }
    case 'list':
    case undefined: {
      const list = app.scheduling.listTriggers(first);
      print(io, args, list, () => (list.length === 0 ? 'No triggers.' : list.map(text).join('\n')));
      return 0;
    }
    case 'remove': {
      if (first === undefined) throw new AppError('bad_usage', 'trigger remove needs a trigger id');
      const t = app.scheduling.removeTrigger(first);
      print(io, args, t, () => `Removed: ${text(t)}`);
      return 0;
    }
    default:
      throw new AppError('bad_usage', `unknown trigger subcommand "${sub}"`, { hint: 'Subcommands: add, list, remove.' });
  }
}
