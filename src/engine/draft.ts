import { parseJsonAnswer } from './json-answer.js';
import { ChainDefinitionSchema } from '../domain/chain.js';
import { AppError, NonRetriableError, type Problem } from '../domain/errors.js';
import type { LlmClient, LlmMessage, LlmUsage } from './ports.js';
import { type ValidationReport, validateDefinition } from './plan.js';
import type { Understood } from './schedule-ports.js';
import type { ToolRegistry } from './tools/registry.js';

/**
 * Chain drafting: "every weekday at 7, get the weather for Berlin, summarise it, notify me" → a chain
 * definition, validated, with its schedule understood, for the person to confirm. Nothing here
 * saves anything; the caller shows the draft and saves it only when asked.
 *
 * The model sees the tool catalogue (names, descriptions, parameter JSON Schemas) and answers with
 * `{ definition, notes }`. Our own validation is the judge: schema, templates, tools that exist,
 * required tool parameters, and the schedule words read by the same code that compiles them on save.
 * Problems go back to the model once; a draft that is still wrong is returned with its report
 * (`ready: false`), never saved.
 */

export const MAX_REQUEST_CHARS = 2_000;
/** At most this many problems are sent back to the model in the repair round. */
const MAX_PROBLEMS_SENT = 20;

export const DRAFT_LLM_HINT =
  'Set OPENAI_API_KEY for OpenAI, or OPENAI_BASE_URL for an OpenAI-compatible server such as Ollama ' +
  '(http://localhost:11434/v1), LM Studio or vLLM, and CHAINLOOM_MODEL to the model to use. Without a model, write ' +
  'the definition as JSON and save it with "chainloom chain create -f chain.json" (or chain_tool operation "create").';

/** What the prompt renderer gets; the llm/ side turns it into the system prompt. */
export interface ChainDraftPromptInput {
  request: string;
  /** The tool catalogue as text: one entry per operation with its parameter schema. */
  tools: string;
  now: Date;
  timeZone: string;
}

export interface DraftChainDeps {
  /** Undefined when no model is configured: drafting fails with `llm_not_configured`. */
  llm: LlmClient | undefined;
  tools: ToolRegistry;
  /** Renders prompts/chain-draft.md; `version` is recorded as `promptVersion`. */
  prompt: (input: ChainDraftPromptInput) => Promise<{ system: string; version: string }>;
  now: Date;
  timeZone: string;
  /** Reads schedule words (the scheduling services' `parse`); without it the schedule is not checked. */
  understand?: ((text: string, timeZone: string) => Promise<Understood>) | undefined;
  signal?: AbortSignal | undefined;
  /** Per answer; unset by default. */
  maxTokens?: number | undefined;
}

export interface DraftChainOptions {
  /** Replaces the name the model chose. */
  name?: string | undefined;
}

export interface DraftSchedule {
  /** The schedule as written in the draft. */
  text: string;
  understood: Understood;
}

export interface ChainDraft {
  request: string;
  /** The definition as the model wrote it (name replaced when asked): what would be saved. */
  definition: unknown;
  /**
   * `validateDefinition`'s report plus the draft checks (unknown tools and operations, missing or
   * unknown tool parameters, a schedule that cannot be read). `ok` = can be saved as is.
   */
  report: ValidationReport;
  schedule?: DraftSchedule;
  /** The model's notes for the person: assumptions, things to fill in, what it could not do. */
  notes: string[];
  usage: LlmUsage;
  /** 1, or 2 when the first answer was sent back with its problems. */
  attempts: number;
  promptVersion: string;
  model: string;
}

/** Drafts a chain definition from words; see the module comment. */
export async function draftChain(
  deps: DraftChainDeps,
  request: string,
  opts: DraftChainOptions = {},
): Promise<ChainDraft> {
  const text = request.trim();
  if (text === '') {
    throw new NonRetriableError('bad_request', 'there is nothing to draft: the request is empty', {
      hint: 'Describe the chain in words, e.g. "every weekday at 7am get the weather for Berlin, summarise it and notify me".',
    });
  }
  if (text.length > MAX_REQUEST_CHARS) {
    throw new NonRetriableError(
      'bad_request',
      `the request is ${text.length} characters; at most ${MAX_REQUEST_CHARS} are accepted`,
      {
        hint: 'Describe the chain more briefly; details can be edited in the draft.',
      },
    );
  }
  const llm = deps.llm;
  if (llm === undefined) {
    throw new NonRetriableError(
      'llm_not_configured',
      'drafting a chain from words needs a language model, and none is configured',
      {
        hint: DRAFT_LLM_HINT,
      },
    );
  }
  const prompt = await deps.prompt({
    request: text,
    tools: toolCatalogue(deps.tools),
    now: deps.now,
    timeZone: deps.timeZone,
  });
  const messages: LlmMessage[] = [
    { role: 'system', content: prompt.system },
    { role: 'user', content: 'Draft the chain for the request above. Reply with the JSON object only.' },
  ];
  const usage: LlmUsage = { promptTokens: 0, completionTokens: 0 };
  let model = '';
  let latest: Draft | undefined;
  for (let attempt = 1; ; attempt++) {
    const res = await llm.complete({
      messages: [...messages],
      responseSchema: { name: 'chain_draft', schema: DRAFT_RESPONSE_SCHEMA },
      ...(deps.signal !== undefined ? { signal: deps.signal } : {}),
      ...(deps.maxTokens !== undefined ? { maxTokens: deps.maxTokens } : {}),
    });
    usage.promptTokens += res.usage.promptTokens;
    usage.completionTokens += res.usage.completionTokens;
    model = res.model;
    const assessed = await assess(res.content, deps, opts);
    // A repaired answer replaces the first one only if it is a definition at all.
    if (assessed.draft !== undefined) latest = assessed.draft;
    if (assessed.problems.length === 0 || attempt >= 2) {
      if (latest === undefined) {
        throw new AppError(
          'invalid_llm_output',
          `the model did not answer with a chain definition after one repair attempt: ${summarize(assessed.problems)}`,
          {
            hint: 'Try again, say more plainly what the chain should do, or use a more capable model. You can also write the definition yourself and use "chain create -f".',
            details: { usage },
          },
        );
      }
      return { request: text, ...latest, usage, attempts: attempt, promptVersion: prompt.version, model };
    }
    messages.push(
      { role: 'assistant', content: res.content ?? '' },
      { role: 'user', content: repairMessage(assessed.problems) },
    );
  }
}

type Draft = Pick<ChainDraft, 'definition' | 'report' | 'schedule' | 'notes'>;

interface Assessment {
  problems: Problem[];
  draft?: Draft;
}

/** Reads one answer and checks it completely; `problems` are what the repair round sends back. */
async function assess(
  content: string | null,
  deps: DraftChainDeps,
  opts: DraftChainOptions,
): Promise<Assessment> {
  const parsed = parseJsonAnswer(content);
  if (!parsed.ok) return { problems: [{ path: '(answer)', message: parsed.error, severity: 'error' }] };
  const unwrapped = unwrap(parsed.value);
  if (unwrapped === undefined) {
    return {
      problems: [
        {
          path: '(answer)',
          message:
            'the answer must be an object {"definition": {...}, "notes": [...]} whose definition has "name" and "steps"',
          severity: 'error',
        },
      ],
    };
  }
  const definition: Record<string, unknown> =
    opts.name === undefined ? unwrapped.definition : { ...unwrapped.definition, name: opts.name };
  const base = validateDefinition(definition, deps.tools);
  const extra = toolProblems(definition, deps.tools);
  const notes = [...unwrapped.notes];

  let schedule: DraftSchedule | undefined;
  const when = scheduleText(definition['schedule']);
  if (when !== undefined && deps.understand !== undefined) {
    const understood = await deps.understand(when, deps.timeZone);
    schedule = { text: when, understood };
    if (!understood.ok) {
      extra.push({
        path: 'schedule',
        message: `"${when}" cannot be read as a schedule: ${understood.message}${understood.question !== undefined && understood.question !== understood.message ? ` (${understood.question})` : ''}. Write it like "every weekday at 7am".`,
        severity: 'error',
      });
    }
  } else if (definition['schedule'] !== undefined && when === undefined) {
    notes.push('The schedule is given as fields rather than words; it is checked when the chain is saved.');
  }

  const flagged = new Set(extra.map((p) => p.path));
  const errors = [...base.errors, ...extra];
  const report: ValidationReport = {
    ok: errors.length === 0,
    ...(errors.length === 0 && base.definition !== undefined ? { definition: base.definition } : {}),
    errors,
    warnings: base.warnings.filter((w) => !flagged.has(w.path)),
  };
  return {
    problems: errors,
    draft: { definition, report, notes, ...(schedule !== undefined ? { schedule } : {}) },
  };
}

function unwrap(value: unknown): { definition: Record<string, unknown>; notes: string[] } | undefined {
  if (!isRecord(value)) return undefined;
  const notesOf = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((n): n is string => typeof n === 'string' && n.trim() !== '') : [];
  if (isRecord(value['definition']))
    return { definition: value['definition'], notes: notesOf(value['notes']) };
  // Models sometimes answer with the bare definition.
  if (Array.isArray(value['steps'])) return { definition: value, notes: [] };
  return undefined;
}

function scheduleText(schedule: unknown): string | undefined {
  if (typeof schedule === 'string' && schedule.trim() !== '') return schedule.trim();
  if (isRecord(schedule) && typeof schedule['text'] === 'string' && schedule['text'].trim() !== '')
    return schedule['text'].trim();
  return undefined;
}

/**
 * Checks `validateDefinition` leaves as warnings (a tool may be registered later), but that in a
 * fresh draft mean the model invented something: tools and operations that do not exist, and
 * parameters the operation requires or does not know.
 */
function toolProblems(definition: unknown, tools: ToolRegistry): Problem[] {
  const parsed = ChainDefinitionSchema.safeParse(definition);
  if (!parsed.success) return [];
  const problems: Problem[] = [];
  const known = tools.qualifiedNames().join(', ');
  parsed.data.steps.forEach((step, i) => {
    const p = `steps[${i}]`;
    if (step.execution_mode === 'orchestrated') {
      for (const [j, t] of (step.allowed_tools ?? []).entries()) {
        if (!tools.has(t) && tools.find(t) === undefined) {
          problems.push({
            path: `${p}.allowed_tools[${j}]`,
            message: `unknown tool "${t}"; available: ${known}`,
            severity: 'error',
          });
        }
      }
      return;
    }
    if (step.tool === undefined) return;
    const op = tools.find(step.tool, step.operation);
    if (op === undefined) {
      const name = `${step.tool}${step.operation !== undefined ? `.${step.operation}` : ''}`;
      problems.push({
        path: `${p}.tool`,
        message: `there is no tool operation "${name}"; use one of: ${known}`,
        severity: 'error',
      });
      return;
    }
    const schema = tools.parametersSchema(op);
    const props = isRecord(schema['properties']) ? schema['properties'] : undefined;
    const required = Array.isArray(schema['required'])
      ? (schema['required'] as unknown[]).filter((k): k is string => typeof k === 'string')
      : [];
    for (const key of required) {
      if (!(key in step.parameters)) {
        problems.push({
          path: `${p}.parameters.${key}`,
          message: `${op.qualifiedName} needs "${key}"`,
          severity: 'error',
        });
      }
    }
    if (props !== undefined && schema['additionalProperties'] === false) {
      for (const key of Object.keys(step.parameters)) {
        if (!(key in props)) {
          problems.push({
            path: `${p}.parameters.${key}`,
            message: `${op.qualifiedName} has no parameter "${key}"; its parameters are: ${Object.keys(props).join(', ')}`,
            severity: 'error',
          });
        }
      }
    }
  });
  return problems;
}

/** The tools and operations the model may use, with what they do and their parameters' JSON Schema. */
export function toolCatalogue(tools: ToolRegistry): string {
  const lines: string[] = [];
  for (const tool of tools.list()) {
    for (const name of Object.keys(tool.operations)) {
      const op = tools.find(tool.name, name);
      if (op === undefined) continue;
      lines.push(`- ${op.qualifiedName}: ${tool.description}. ${op.operation.description}`);
      lines.push(`  parameters: ${JSON.stringify(tools.parametersSchema(op))}`);
    }
  }
  return lines.join('\n');
}

function repairMessage(problems: Problem[]): string {
  const shown = problems.slice(0, MAX_PROBLEMS_SENT).map((p) => `- ${p.path}: ${p.message}`);
  if (problems.length > MAX_PROBLEMS_SENT) shown.push(`- … and ${problems.length - MAX_PROBLEMS_SENT} more`);
  return (
    `Your draft has problems:\n${shown.join('\n')}\n\n` +
    'Reply again with the whole corrected JSON object {"definition": {...}, "notes": [...]}: no prose, no code fences. ' +
    'Use only the tools listed above.'
  );
}

function summarize(problems: Problem[]): string {
  return problems
    .slice(0, 3)
    .map((p) => `${p.path}: ${p.message}`)
    .join('; ');
}


function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const STRING = { type: 'string' } as const;
const STRINGS = { type: 'array', items: STRING } as const;

/**
 * The answer's shape, sent as the response format. Deliberately open (no `additionalProperties:
 * false`, few required fields): it guides the model and stays within what local servers' grammar
 * converters handle; `validateDefinition` is the real check.
 */
export const DRAFT_RESPONSE_SCHEMA: Record<string, unknown> = {
  type: 'object',
  properties: {
    definition: {
      type: 'object',
      properties: {
        name: STRING,
        description: STRING,
        tags: STRINGS,
        schedule: STRING,
        inputs: { type: 'object' },
        variables: { type: 'object' },
        notify_on: { type: 'array', items: { type: 'string', enum: ['success', 'failure'] } },
        steps: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            properties: {
              id: STRING,
              name: STRING,
              execution_mode: { type: 'string', enum: ['direct', 'orchestrated'] },
              tool: STRING,
              operation: STRING,
              parameters: { type: 'object' },
              output_key: STRING,
              task_description: STRING,
              allowed_tools: STRINGS,
              condition: STRING,
            },
            required: ['name'],
          },
        },
      },
      required: ['name', 'steps'],
    },
    notes: STRINGS,
  },
  required: ['definition', 'notes'],
};
