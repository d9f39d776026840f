import { z } from 'zod';

/**
 * The chain definition: what a person (or the model) writes. Field names follow the seed design
 * (`tool`, `operation`, `parameters`, `output_key`, `error_policy`, `retry_config`, `next_step_logic`,
 * `repeat_config`, `timeout` in seconds) so the seed's JSON works as written. Strings inside
 * `parameters`, `condition`, `for_each`, ... are templates: `{weather.temp}` or `{{ weather.temp }}`.
 */

export const MAX_STEPS = 500;
export const MAX_NAME_LENGTH = 200;

/** Seconds, possibly fractional (tests use 0.01), bounded to a day. */
const Seconds = z.number().nonnegative().max(86_400);

export const ErrorPolicySchema = z.enum(['stop', 'continue', 'retry', 'alternative', 'rollback']);
export type ErrorPolicy = z.infer<typeof ErrorPolicySchema>;

export const RetryConfigSchema = z
  .object({
    max_attempts: z.number().int().min(1).max(100).default(3),
    backoff: z.enum(['fixed', 'linear', 'exponential']).default('exponential'),
    initial_delay: Seconds.default(1),
    max_delay: Seconds.default(300),
    backoff_factor: z.number().min(1).max(10).default(2),
    jitter: z.boolean().default(true),
    retry_on: z
      .array(z.enum(['timeout', 'network', 'http_5xx', 'http_4xx', 'rate_limited', 'tool_error', 'any']))
      .default(['any']),
  })
  .strict();
export type RetryConfig = z.infer<typeof RetryConfigSchema>;

export const RepeatConfigSchema = z
  .object({
    /** Hard cap on iterations; required so a loop always ends. */
    max_iterations: z.number().int().min(1).max(10_000),
    /** Wait between iterations. */
    interval: Seconds.default(0),
    /** Stop once this condition is true after an iteration (`loop.index`, `result` available). */
    until: z.string().optional(),
    /** Keep going only while this condition is true (checked before each iteration). */
    while: z.string().optional(),
  })
  .strict();
export type RepeatConfig = z.infer<typeof RepeatConfigSchema>;

export const BranchSchema = z
  .object({
    if: z.string(),
    /** Step key (or name) to go to; `end` finishes the chain successfully. */
    goto: z.string().optional(),
    /** End the chain here: `completed` (default) or `failed`. */
    end: z.union([z.boolean(), z.enum(['completed', 'failed'])]).optional(),
    message: z.string().optional(),
  })
  .strict()
  .refine((b) => b.goto !== undefined || b.end !== undefined, {
    message: 'a branch needs "goto" (a step key or "end") or "end"',
  });
export type Branch = z.infer<typeof BranchSchema>;

export const NextStepLogicSchema = z
  .object({
    branches: z.array(BranchSchema).max(50).default([]),
    /** Where to go when no branch matches: a step key, `next` (default) or `end`. */
    else: z.string().optional(),
  })
  .strict();
export type NextStepLogic = z.infer<typeof NextStepLogicSchema>;

/** A tool call without flow control: used for compensation steps. */
export const ToolCallSchema = z
  .object({
    tool: z.string().min(1),
    operation: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type ToolCall = z.infer<typeof ToolCallSchema>;

export const StepSchema = z
  .object({
    /** Stable key used in references, `depends_on` and history; derived from `name` if absent. */
    id: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, 'use letters, digits, "_" or "-", starting with a letter')
      .optional(),
    name: z.string().min(1).max(MAX_NAME_LENGTH),
    description: z.string().max(2000).optional(),
    execution_mode: z.enum(['direct', 'orchestrated']).default('direct'),
    tool: z.string().min(1).optional(),
    operation: z.string().min(1).optional(),
    parameters: z.record(z.string(), z.unknown()).default({}),
    output_key: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'use letters, digits and "_", starting with a letter')
      .optional(),

    // Orchestrated (LLM) steps.
    task_description: z.string().max(20_000).optional(),
    /** Tools the model may call, as "tool" or "tool.operation". Default: none. */
    allowed_tools: z.array(z.string()).max(50).optional(),
    /** Earlier output keys passed to the model; default: only what `parameters` reference. */
    context_keys: z.array(z.string()).max(50).optional(),
    /** JSON Schema the model's answer must match; without it the answer is text. */
    output_schema: z.record(z.string(), z.unknown()).optional(),
    max_tool_rounds: z.number().int().min(0).max(50).optional(),

    // Flow control.
    /** Run the step only when this is true; otherwise it is recorded as skipped. */
    condition: z.string().optional(),
    depends_on: z.array(z.string()).max(MAX_STEPS).optional(),
    next_step_logic: NextStepLogicSchema.optional(),
    repeat_config: RepeatConfigSchema.optional(),
    /** A template that yields a list; the step runs once per item (`item`, `loop.index`). */
    for_each: z.string().optional(),
    concurrency: z.number().int().min(1).max(64).optional(),

    // Failure handling.
    error_policy: ErrorPolicySchema.optional(),
    retry_config: RetryConfigSchema.optional(),
    /** Step key to run instead when this step fails under the `alternative` policy. */
    alternative_step: z.string().optional(),
    /** Undo action run (in reverse order) when the chain rolls back. */
    compensation: ToolCallSchema.optional(),
    timeout: Seconds.optional(),
  })
  .strict();
export type StepDefinition = z.infer<typeof StepSchema>;
export type StepInput = z.input<typeof StepSchema>;

/**
 * How a chain may say when it runs. Natural-language text, the seed's
 * `{frequency, time, timezone}` object, or a typed spec; compiled by schedule/.
 */
export const ChainScheduleSchema = z.union([
  z.string().min(1).max(500),
  z
    .object({
      text: z.string().optional(),
      frequency: z.enum(['once', 'hourly', 'daily', 'weekdays', 'weekly', 'monthly', 'yearly']).optional(),
      time: z.string().optional(),
      date: z.string().optional(),
      days: z.array(z.string()).optional(),
      day_of_month: z.number().int().min(1).max(31).optional(),
      cron: z.string().optional(),
      every_seconds: z.number().positive().optional(),
      timezone: z.string().optional(),
      catch_up: z.enum(['skip', 'run_once', 'run_all']).optional(),
      overlap: z.enum(['skip', 'queue', 'allow']).optional(),
    })
    .strict(),
]);
export type ChainSchedule = z.infer<typeof ChainScheduleSchema>;

export const ChainInputSchema = z
  .object({
    type: z.enum(['string', 'number', 'boolean', 'object', 'array', 'any']).default('any'),
    description: z.string().optional(),
    required: z.boolean().default(false),
    default: z.unknown().optional(),
  })
  .strict();

export const ChainDefinitionSchema = z
  .object({
    name: z.string().trim().min(1).max(MAX_NAME_LENGTH),
    description: z.string().max(5000).optional(),
    tags: z.array(z.string().max(50)).max(20).default([]),
    /** Declared inputs (`inputs.<name>` in templates). */
    inputs: z.record(z.string(), ChainInputSchema).default({}),
    /** Constant values available as `vars.<name>`. */
    variables: z.record(z.string(), z.unknown()).default({}),
    schedule: ChainScheduleSchema.optional(),
    error_policy: ErrorPolicySchema.default('stop'),
    retry_config: RetryConfigSchema.optional(),
    /** Whole-run timeout in seconds. */
    timeout: Seconds.optional(),
    /** How many independent steps of a DAG may run at once. */
    concurrency: z.number().int().min(1).max(1000).default(4),
    /** When to put a notification in the inbox about a finished run. */
    notify_on: z.array(z.enum(['success', 'failure'])).default(['failure']),
    steps: z.array(StepSchema).min(1, 'a chain needs at least one step').max(MAX_STEPS),
  })
  .strict();
export type ChainDefinition = z.infer<typeof ChainDefinitionSchema>;
export type ChainDefinitionInput = z.input<typeof ChainDefinitionSchema>;

/** A step's key: its `id`, or its name made into a key ("Get Weather" → "get_weather"). */
export function stepKey(step: Pick<StepDefinition, 'id' | 'name'>): string {
  if (step.id !== undefined) return step.id;
  const slug = step.name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return slug === '' || /^[0-9]/.test(slug) ? `step_${slug}` : slug;
}
