import { createInterface } from 'node:readline';
import { AppError, type Problem } from '../../domain/errors.js';
import type { ChainDraft } from '../../engine/draft.js';
import type { ScheduleRecord } from '../../engine/schedule-ports.js';
import type { SavedChain } from '../../engine/services.js';
import { type ChainDrafter, createChainDrafter } from '../../llm/chain-drafter.js';
import { type Prompt, loadPrompt } from '../../llm/prompts.js';
import { type App, PROMPTS_DIR, createLlm } from '../app.js';
import { type Args, flag, has } from '../args.js';
import * as fmt from '../format.js';
import type { Io } from '../io.js';

/** A drafter from the app's configuration, for when the composition root did not pass one. */
export function drafterFor(app: App): ChainDrafter {
  let prompt: Promise<Prompt> | undefined;
  return createChainDrafter({
    llm: () => createLlm(app.config, app.log),
    tools: app.tools,
    prompt: () => (prompt ??= loadPrompt('chain-draft', PROMPTS_DIR)),
    clock: app.clock,
    timeZone: app.config.timeZone,
    understand: (text, timeZone) => app.scheduling.parse(text, timeZone),
  });
}

/**
 * `chainloom chain draft "<words>" [--save] [--yes] [--json] [--name NAME]`: drafts a chain
 * with the language model, prints it with its validation and the schedule as understood, and saves
 * it only when asked: `--save` or `--yes`, or a "y" at the prompt when stdin is a terminal. A draft
 * with problems is never saved. Exit code 1 when the draft has problems.
 */
export async function draftCommand(
  app: App,
  io: Io,
  args: Args,
  drafter: ChainDrafter = drafterFor(app),
): Promise<number> {
  const request = args.positionals.join(' ').trim();
  if (request === '') {
    throw new AppError(
      'bad_usage',
      'chain draft needs the words, e.g. chainloom chain draft "every weekday at 7am get the weather for Berlin, summarise it, notify me"',
    );
  }
  const json = has(args, 'json');
  const draft = await drafter(request, { name: flag(args, 'name') });
  const wantsSave = has(args, 'save') || has(args, 'yes');
  const interactive = !wantsSave && !json && (io.stdin as { isTTY?: boolean }).isTTY === true;

  if (!json) io.stdout.write(`${draftText(draft)}\n`);
  let saved: { chain: SavedChain; schedules: ScheduleRecord[] } | undefined;
  let outcome: string;
  if (!draft.report.ok) {
    outcome = `Not saved: the draft has ${draft.report.errors.length} problem(s). Try again with different words, or fix the definition and use "chainloom chain create -f FILE".`;
  } else if (wantsSave || (interactive && (await confirm(io, 'Save this chain? [y/N] ')))) {
    saved = await save(app, draft);
    outcome = savedText(saved.chain, saved.schedules);
  } else {
    outcome = interactive
      ? 'Not saved.'
      : 'Not saved. Run again with --save to save a new draft, or put the definition above in a file and use "chainloom chain create -f FILE".';
  }
  if (json) {
    io.stdout.write(
      `${JSON.stringify(
        {
          ok: draft.report.ok,
          saved: saved !== undefined,
          request: draft.request,
          definition: draft.definition,
          validation: { ok: draft.report.ok, errors: draft.report.errors, warnings: draft.report.warnings },
          schedule: draft.schedule ?? null,
          notes: draft.notes,
          usage: draft.usage,
          attempts: draft.attempts,
          model: draft.model,
          promptVersion: draft.promptVersion,
          ...(saved !== undefined
            ? { chain: saved.chain.chain, version: saved.chain.version.version, schedules: saved.schedules }
            : {}),
        },
        null,
        2,
      )}\n`,
    );
  } else {
    io.stdout.write(`\n${outcome}\n`);
  }
  return draft.report.ok ? 0 : 1;
}

async function save(
  app: App,
  draft: ChainDraft,
): Promise<{ chain: SavedChain; schedules: ScheduleRecord[] }> {
  const chain = app.services.createChain(
    draft.definition,
    `drafted from words: ${draft.request}`.slice(0, 500),
  );
  // The definition's schedule is attached by the save hook, asynchronously: let it finish before
  // reading it back (and before the command closes the store).
  await app.scheduling.drain();
  return { chain, schedules: app.scheduling.list({ chain: chain.chain.id }) };
}

function savedText(saved: SavedChain, schedules: ScheduleRecord[]): string {
  const lines = [`Saved chain "${saved.chain.name}" (${saved.chain.id}), version ${saved.version.version}.`];
  for (const s of schedules)
    lines.push(`Scheduled ${s.description}; next runs ${s.next.slice(0, 3).join(', ')} (${s.id}).`);
  return lines.join('\n');
}

/** The draft as a person reads it: the definition, the schedule in words, the checks, the notes. */
export function draftText(d: ChainDraft): string {
  const lines = [`Draft for: "${d.request}"`, '', JSON.stringify(d.definition, null, 2), ''];
  if (d.schedule !== undefined) {
    const u = d.schedule.understood;
    if (u.ok) {
      lines.push(`Schedule: "${d.schedule.text}" → ${u.description}`);
      lines.push(`  next runs: ${u.next.slice(0, 3).join(', ')}`);
      for (const a of u.assumptions) lines.push(`  assumed: ${a}`);
    } else {
      lines.push(`Schedule: "${d.schedule.text}" could not be read: ${u.message}`);
    }
  } else {
    lines.push('Schedule: none (runs only when started or triggered).');
  }
  const r = d.report;
  lines.push(
    r.ok
      ? `Validation: valid${r.warnings.length > 0 ? `, with ${r.warnings.length} warning(s)` : ''}.`
      : `Validation: ${r.errors.length} problem(s):`,
  );
  const listed: Problem[] = [...r.errors, ...r.warnings];
  if (listed.length > 0) lines.push(fmt.problems(listed));
  if (d.notes.length > 0) lines.push('Notes:', ...d.notes.map((n) => `  - ${n}`));
  lines.push(
    `(drafted by ${d.model} with prompt ${d.promptVersion}; ${d.attempts === 1 ? '1 request' : `${d.attempts} requests, the first answer was sent back for repair`}; ${d.usage.promptTokens + d.usage.completionTokens} tokens)`,
  );
  return lines.join('\n');
}

/** Asks a yes/no question on stderr (stdout may be piped) and reads one line; only "y"/"yes" is yes. */
async function confirm(io: Io, question: string): Promise<boolean> {
  io.stderr.write(question);
  const rl = createInterface({ input: io.stdin, terminal: false });
  try {
    for await (const line of rl) return /^\s*y(es)?\s*$/i.test(line);
    return false;
  } finally {
    rl.close();
  }
}
