import { z } from 'zod';
import {
  ChainViewSchema,
  ErrorViewSchema,
  NotificationViewSchema,
  ProblemViewSchema,
  RunViewSchema,
  ScheduleViewSchema,
  StatsViewSchema,
  StepViewSchema,
  TriggerViewSchema,
  VersionViewSchema,
} from '../views.js';

export const OPERATIONS = [
  'create',
  'list',
  'get',
  'update',
  'delete',
  'duplicate',
  'run',
  'history',
  'stats',
  'versions',
  'rollback',
  'pause',
  'resume',
  'cancel',
  'validate',
  'test',
  'visualize',
  'schedule',
  'emit',
  'draft',
] as const;
export type Operation = (typeof OPERATIONS)[number];

const opList = OPERATIONS.join(', ');

/** A chain definition as the model writes it; validated in full by the engine before any write. */
const Definition = z
  .record(z.string(), z.unknown(), { error: 'definition must be an object: { name, steps: [...] }' })
  .describe(
    'A chain definition: { name, description?, tags?, inputs?, variables?, schedule?, error_policy?, notify_on?, steps: [{ name, tool, operation, parameters, output_key?, condition?, depends_on?, error_policy?, retry_config?, execution_mode?: "direct"|"orchestrated", task_description? }] }. Parameters may use templates like "{weather.temp}" or "{{ inputs.city }}".',
  );

/**
 * One flat input object: `operation` picks the use case, the other fields are used by the operations
 * that name them. Per-operation requirements are checked by the handlers with a message naming the fix.
 */
export const ChainToolInput = {
  operation: z
    .enum(OPERATIONS, { error: `operation must be one of: ${opList}` })
    .describe(`What to do: ${opList}.`),
  chain_id: z.string().min(1).max(200).optional().describe('The chain, by id (chn_...) or exact name.'),
  name: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe(
      "The chain, by unique name (instead of chain_id). For create: the new chain's name when no definition is given.",
    ),
  definition: Definition.optional(),
  description: z.string().max(5000).optional().describe('create/update: the chain description.'),
  steps: z
    .array(z.record(z.string(), z.unknown()), { error: 'steps must be an array of step objects' })
    .max(500)
    .optional()
    .describe('create/update: the steps, instead of a whole definition.'),
  tags: z
    .array(z.string().max(50), { error: 'tags must be an array of strings' })
    .max(20)
    .optional()
    .describe('create/update: tags.'),
  tag: z.string().max(50).optional().describe('list: only chains with this tag.'),
  note: z.string().max(500).optional().describe('create/update: a note stored with the new version.'),
  new_name: z.string().min(1).max(200).optional().describe("duplicate: the copy's name."),
  inputs: z
    .record(z.string(), z.unknown(), { error: 'inputs must be an object of name: value pairs' })
    .optional()
    .describe('run/test: input values (inputs.<name> in templates).'),
  wait: z
    .boolean({ error: 'wait must be true or false' })
    .optional()
    .describe(
      'run: wait for the result (default true) up to wait_seconds; otherwise return the run id at once.',
    ),
  wait_seconds: z
    .number({ error: 'wait_seconds must be a number of seconds from 0 to 120' })
    .min(0)
    .max(120)
    .optional()
    .describe('run: how long to wait before returning the run id (default 30, max 120).'),
  run_id: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('history (one run in detail), visualize (a run), pause/resume/cancel (a run).'),
  schedule_id: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('pause/resume/cancel a schedule or reminder (cancel removes it).'),
  status: z
    .enum(['active', 'paused', 'archived', 'pending', 'running', 'completed', 'failed', 'cancelled'], {
      error:
        'status must be a chain status (active, paused, archived) for list, or a run status (pending, running, paused, completed, failed, cancelled) for history',
    })
    .optional()
    .describe(
      'list: chain status (active|paused|archived). history: run status (pending|running|paused|completed|failed|cancelled).',
    ),
  text: z
    .string()
    .max(200)
    .optional()
    .describe('list: text in the chain name or description. history: text in the chain name or error.'),
  since: z
    .string()
    .max(50)
    .optional()
    .describe('history/stats: from this time: ISO date-time, or a relative age like "24h", "7d", "2w".'),
  until: z.string().max(50).optional().describe('history: up to this time (same forms as since).'),
  limit: z
    .number({ error: 'limit must be a whole number from 1 to 500, e.g. 20' })
    .int()
    .min(1)
    .max(500)
    .optional()
    .describe('list/history: how many (default 50 for list, 20 for history).'),
  version: z
    .number({ error: 'version must be a version number, e.g. 2' })
    .int()
    .min(1)
    .optional()
    .describe('get/visualize: a specific version. rollback: the version to restore.'),
  from_version: z
    .number({ error: 'from_version must be a version number, e.g. 1' })
    .int()
    .min(1)
    .optional()
    .describe('versions: compare from this version (with to_version).'),
  to_version: z
    .number({ error: 'to_version must be a version number, e.g. 2' })
    .int()
    .min(1)
    .optional()
    .describe('versions: compare to this version.'),
  fixtures: z
    .record(z.string(), z.unknown(), {
      error: 'fixtures must be an object keyed by step key, "tool.operation" or tool',
    })
    .optional()
    .describe(
      'test: simulated outputs by step key, "tool.operation" or tool; { "error": "..." } simulates a failure.',
    ),
  when: z
    .union([z.string().min(1).max(500), z.record(z.string(), z.unknown())])
    .optional()
    .describe(
      'schedule: when the chain runs, in words ("every weekday at 7") or { frequency, time, days, timezone, cron }. Omit to list the chain\'s schedules.',
    ),
  timezone: z
    .string()
    .max(64)
    .optional()
    .describe("schedule: IANA zone, e.g. Europe/Berlin (default: the server's)."),
  replace: z
    .boolean({ error: 'replace must be true or false' })
    .optional()
    .describe("schedule: replace the chain's existing schedules (default true) or add another."),
  catch_up: z
    .enum(['skip', 'run_once', 'run_all'])
    .optional()
    .describe('schedule: missed runs after downtime.'),
  overlap: z
    .enum(['skip', 'queue', 'allow'])
    .optional()
    .describe('schedule: when the previous run is still going.'),
  event: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('emit: the event name; chains with a trigger on it run.'),
  data: z.unknown().optional().describe('emit: the event payload (inputs.event in the triggered runs).'),
  request: z
    .string()
    .min(1)
    .max(2000)
    .optional()
    .describe('draft: what the chain should do, in words, e.g. "every weekday at 7, get the weather for Berlin, summarise it, notify me".'),
};

export type ChainToolArgs = z.infer<z.ZodObject<typeof ChainToolInput>>;

/** Every field is optional except ok; each operation fills the fields it is about. */
export const ChainToolOutput = {
  ok: z.boolean(),
  operation: z.string().optional(),
  message: z.string().optional(),
  chain: ChainViewSchema.optional(),
  chains: z.array(ChainViewSchema).optional(),
  definition: z.record(z.string(), z.unknown()).optional(),
  version: z.number().int().optional(),
  changed: z.boolean().optional(),
  changes: z.string().optional(),
  warnings: z.array(ProblemViewSchema).optional(),
  problems: z.array(ProblemViewSchema).optional(),
  valid: z.boolean().optional(),
  run: RunViewSchema.optional(),
  runs: z.array(RunViewSchema).optional(),
  steps: z.array(StepViewSchema).optional(),
  finished: z.boolean().optional(),
  simulated: z.array(z.string()).optional(),
  versions: z.array(VersionViewSchema).optional(),
  stats: StatsViewSchema.optional(),
  mermaid: z.string().optional(),
  schedule: ScheduleViewSchema.optional(),
  schedules: z.array(ScheduleViewSchema).optional(),
  triggers: z.array(TriggerViewSchema).optional(),
  event: z.string().optional(),
  error: ErrorViewSchema.optional(),
  notifications: z.array(NotificationViewSchema).optional(),
  notes: z.array(z.string()).optional(),
  understood: z
    .object({ description: z.string(), next: z.array(z.string()), assumptions: z.array(z.string()) })
    .partial()
    .optional(),
};
