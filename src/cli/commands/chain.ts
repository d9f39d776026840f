import { readFileSync, statSync } from 'node:fs';
import { AppError } from '../../domain/errors.js';
import type { RunRecord, RunStatus } from '../../domain/records.js';
import type { ProgressEvent } from '../../engine/executor.js';
import type { App } from '../app.js';
import { type Args, flag, has, parseDuration, parseInputs } from '../args.js';
import * as fmt from '../format.js';
import type { Io } from '../io.js';
import { draftCommand } from './draft.js';

const MAX_FILE_BYTES = 2_000_000;

/** Reads a JSON file (or "-" for stdin text already read) with a size check first. */
export function readJsonFile(path: string, what = 'chain definition'): unknown {
  let text: string;
  try {
    if (path === '-') text = readFileSync(0, 'utf8');
    else {
      const size = statSync(path).size;
      if (size > MAX_FILE_BYTES) {
        throw new AppError('file_too_large', `${path} is ${(size / 1e6).toFixed(1)} MB; a ${what} may be at most ${MAX_FILE_BYTES / 1e6} MB`);
      }
      text = readFileSync(path, 'utf8');
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('file_unreadable', `cannot read ${path}: ${(err as Error).message}`, { hint: 'Check the path.' });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new AppError('bad_json', `${path} is not valid JSON: ${(err as Error).message}`, { hint: `Fix the JSON of the ${what}; nothing was saved.` });
  }
}

const requireFile = (args: Args): string => {
  const f = flag(args, 'file');
  if (f === undefined) throw new AppError('bad_usage', 'this command needs -f <file.json> (or -f - for stdin)');
  return f;
};

const requireRef = (args: Args, what = 'chain id or name'): string => {
  const r = args.positionals[0];
  if (r === undefined) throw new AppError('bad_usage', `this command needs a ${what}`);
  return r;
};

const RUN_STATUSES: RunStatus[] = ['pending', 'running', 'paused', 'completed', 'failed', 'cancelled'];

function out(io: Io, args: Args, json: unknown, text: () => string): void {
  io.stdout.write(`${has(args, 'json') ? JSON.stringify(json, null, 2) : text()}\n`);
}

/** A single updating line on a terminal; nothing when stderr is not a TTY. */
function progressLine(io: Io): { onProgress: (e: ProgressEvent) => void; done: () => void } {
  if (!io.stderrIsTTY) return { onProgress: () => undefined, done: () => undefined };
  let shown = false;
  return {
    onProgress: (e) => {
      shown = true;
      io.stderr.write(`\r\x1b[2K[${e.done}/${e.total}] ${e.stepKey}: ${e.status}`);
    },
    done: () => void (shown && io.stderr.write('\r\x1b[2K')),
  };
}

async function runAndReport(app: App, io: Io, args: Args, run: RunRecord): Promise<number> {
  const progress = progressLine(io);
  const done = await app.services.executeRun(run.id, { onProgress: progress.onProgress });
  progress.done();
  const detail = app.services.getRun(done.id);
  out(io, args, detail, () => fmt.runDetail(detail));
  return done.status === 'completed' ? 0 : done.status === 'paused' ? 0 : 1;
}

export async function chainCommand(app: App, io: Io, sub: string | undefined, args: Args): Promise<number> {
  const s = app.services;
  switch (sub) {
    case 'create': {
      const saved = s.createChain(readJsonFile(requireFile(args)), flag(args, 'note'));
      out(io, args, saved, () =>
        [`Created chain "${saved.chain.name}" (${saved.chain.id}), version 1.`, saved.warnings.length > 0 ? `Warnings:\n${fmt.problems(saved.warnings)}` : '']
          .filter(Boolean)
          .join('\n'),
      );
      return 0;
    }
    case 'update': {
      const saved = s.updateChain(requireRef(args), readJsonFile(requireFile(args)), flag(args, 'note'));
      out(io, args, saved, () =>
        saved.changed
          ? `Updated "${saved.chain.name}" to version ${saved.version.version}: ${saved.diff?.summary ?? ''}`
          : `No changes: "${saved.chain.name}" stays at version ${saved.version.version}.`,
      );
      return 0;
    }
    case 'list': {
      const status = flag(args, 'status') as 'active' | 'paused' | 'archived' | undefined;
      const chains = s.listChains({ status, tag: flag(args, 'tag'), text: flag(args, 'search') ?? args.positionals[0], limit: Number(flag(args, 'limit') ?? 100) });
      out(io, args, chains, () => fmt.chainsTable(chains));
      return 0;
    }
    case 'show': {
      const ref = requireRef(args);
      const v = flag(args, 'version');
      const got = s.getChain(ref);
      const definition = v === undefined ? got.definition : app.store.chains.getVersion(got.chain.id, Number(v)).definition;
      out(io, args, { ...got, definition }, () =>
        [
          `${got.chain.name} (${got.chain.id}) — ${got.chain.status}, version ${v ?? got.chain.currentVersion} of ${got.versions}`,
          got.chain.description ?? '',
          JSON.stringify(definition, null, 2),
        ]
          .filter(Boolean)
          .join('\n'),
      );
      return 0;
    }
    case 'delete': {
      const c = s.deleteChain(requireRef(args));
      out(io, args, c, () => `Deleted chain "${c.name}" (${c.id}); its run history is kept until pruned.`);
      return 0;
    }
    case 'duplicate': {
      const saved = s.duplicateChain(requireRef(args), flag(args, 'name'));
      out(io, args, saved, () => `Duplicated as "${saved.chain.name}" (${saved.chain.id}).`);
      return 0;
    }
    case 'versions': {
      const ref = requireRef(args);
      const diff = args.flags.get('diff');
      if (diff !== undefined) {
        const [a, b] = (args.positionals.length >= 3 ? args.positionals.slice(1, 3) : (diff[0] ?? '').split(/[.,:]+/)).map(Number);
        if (!Number.isInteger(a) || !Number.isInteger(b)) throw new AppError('bad_usage', 'use --diff A,B (two version numbers)');
        const d = s.diffVersions(ref, a!, b!);
        out(io, args, d, () => `v${a} → v${b}: ${d.summary}`);
        return 0;
      }
      const vs = s.versions(ref);
      out(io, args, vs, () => fmt.versionsTable(vs));
      return 0;
    }
    case 'rollback': {
      const to = Number(flag(args, 'to'));
      if (!Number.isInteger(to) || to < 1) throw new AppError('bad_usage', 'rollback needs --to <version number>');
      const saved = s.rollback(requireRef(args), to);
      out(io, args, saved, () => `Rolled "${saved.chain.name}" back to the content of v${to}; it is now version ${saved.version.version}.`);
      return 0;
    }
    case 'run': {
      const run = s.startRun(requireRef(args), parseInputs(args));
      if (!has(args, 'wait') && has(args, 'detach')) {
        out(io, args, run, () => `Started run ${run.id}; it continues in the background (chainloom daemon or the next chainloom process picks it up).`);
        return 0;
      }
      return runAndReport(app, io, args, run);
    }
    case 'history': {
      const first = args.positionals[0];
      if (first !== undefined && first.startsWith('run_')) {
        const d = s.getRun(first);
        out(io, args, d, () => fmt.runDetail(d));
        return 0;
      }
      const status = flag(args, 'status') as RunStatus | undefined;
      if (status !== undefined && !RUN_STATUSES.includes(status)) {
        throw new AppError('bad_usage', `unknown status "${status}"`, { hint: `Use one of: ${RUN_STATUSES.join(', ')}.` });
      }
      const since = flag(args, 'since');
      const until = flag(args, 'until');
      const now = app.clock.now().getTime();
      const runs = s.history({
        chain: first,
        status,
        sinceMs: since === undefined ? undefined : now - parseDuration(since),
        untilMs: until === undefined ? undefined : now - parseDuration(until),
        text: flag(args, 'search'),
        limit: Number(flag(args, 'limit') ?? 20),
      });
      out(io, args, runs, () => fmt.runsTable(runs));
      return 0;
    }
    case 'stats': {
      const ref = args.positionals[0];
      const since = flag(args, 'since');
      const st = s.stats(ref, since === undefined ? undefined : app.clock.now().getTime() - parseDuration(since));
      out(io, args, st, () => fmt.statsText(st, ref ?? 'all chains'));
      return 0;
    }
    case 'cancel': {
      const r = s.cancelRun(requireRef(args, 'run id'));
      out(io, args, r, () => `Run ${r.id}: ${r.status === 'cancelled' ? 'cancelled' : 'cancel requested; it stops at the current step'}.`);
      return 0;
    }
    case 'pause': {
      const r = s.pauseRun(requireRef(args, 'run id'));
      out(io, args, r, () => `Run ${r.id}: ${r.status === 'paused' ? 'paused' : 'pause requested; it pauses after the current step'}.`);
      return 0;
    }
    case 'resume': {
      const r = s.resumeRun(requireRef(args, 'run id'));
      if (has(args, 'detach')) {
        out(io, args, r, () => `Run ${r.id} is runnable again.`);
        return 0;
      }
      return runAndReport(app, io, args, r);
    }
    case 'validate': {
      const report = s.validate(readJsonFile(requireFile(args)));
      out(io, args, report, () =>
        report.ok
          ? `Valid.${report.warnings.length > 0 ? `\nWarnings:\n${fmt.problems(report.warnings)}` : ''}`
          : `Invalid: ${report.errors.length} problem(s)\n${fmt.problems([...report.errors, ...report.warnings])}`,
      );
      return report.ok ? 0 : 1;
    }
    case 'test': {
      const file = flag(args, 'file');
      const fixtures = flag(args, 'fixtures');
      const detail = await s.dryRun(
        file !== undefined ? { definition: readJsonFile(file) } : { ref: requireRef(args) },
        fixtures === undefined ? {} : (readJsonFile(fixtures, 'fixtures file') as Record<string, unknown>),
        parseInputs(args),
      );
      out(io, args, detail, () => `Dry run (nothing saved, side effects simulated for: ${detail.simulated.join(', ') || 'none'})\n${fmt.runDetail(detail)}`);
      return detail.status === 'completed' ? 0 : 1;
    }
    case 'audit': {
      const entries = s.audit(requireRef(args));
      out(io, args, entries, () =>
        entries.length === 0 ? 'No changes recorded.' : fmt.table(entries.map((e) => [fmt.when(e.at), e.actor, e.action, e.detail === null ? '' : JSON.stringify(e.detail)]), ['WHEN', 'WHO', 'WHAT', 'DETAIL']),
      );
      return 0;
    }
    case 'draft':
      return draftCommand(app, io, args, app.drafter);
    default:
      throw new AppError('bad_usage', sub === undefined ? 'chain needs a subcommand' : `unknown chain subcommand "${sub}"`, {
        hint: 'Subcommands: create, list, show, update, delete, duplicate, versions, rollback, run, history, stats, cancel, pause, resume, validate, test, draft, audit.',
      });
  }
}

