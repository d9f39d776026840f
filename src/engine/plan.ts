import { z } from 'zod';
import {
  ChainDefinitionSchema,
  type ChainDefinition,
  type StepDefinition,
  stepKey,
} from '../domain/chain.js';
import { type Problem, ValidationError } from '../domain/errors.js';
import { checkTemplate, referencedRoots } from '../template/index.js';
import type { ToolRegistry } from './tools/registry.js';

/** Limits on what a definition may be; larger input is refused before any parsing work. */
export const MAX_DEFINITION_BYTES = 1_000_000;

/** Names every template may use besides step output keys. */
export const BUILTIN_ROOTS = new Set([
  'inputs',
  'input',
  'vars',
  'steps',
  'run',
  'run_id',
  'now',
  'today',
  'chain',
  'loop',
  'item',
  'error',
  'trigger',
  'result',
]);

/** Output keys that would hide a built-in name. (`result` and `error` are only shadowed locally.) */
const RESERVED_OUTPUT_KEYS = new Set(['inputs', 'input', 'vars', 'steps', 'run', 'run_id', 'now', 'today', 'chain', 'loop', 'item', 'trigger']);

export interface PlanStep {
  key: string;
  index: number;
  def: StepDefinition;
  /** DAG prerequisites (explicit `depends_on`), as keys. */
  deps: string[];
  /** Only run as another step's `alternative_step`, never in the normal flow. */
  fallbackOnly: boolean;
}

export interface Plan {
  definition: ChainDefinition;
  mode: 'sequential' | 'dag';
  steps: PlanStep[];
  byKey: Map<string, PlanStep>;
}

/** Plans of stored definitions, which are immutable (frozen): built once per version. */
const plans = new WeakMap<ChainDefinition, Plan>();

/** Builds the execution plan of an already-validated definition. */
export function buildPlan(definition: ChainDefinition): Plan {
  const cached = plans.get(definition);
  if (cached !== undefined) return cached;
  const plan = makePlan(definition);
  if (Object.isFrozen(definition)) plans.set(definition, plan);
  return plan;
}

function makePlan(definition: ChainDefinition): Plan {
  const steps: PlanStep[] = definition.steps.map((def, index) => ({
    key: stepKey(def),
    index,
    def,
    deps: [],
    fallbackOnly: false,
  }));
  const byKey = new Map(steps.map((s) => [s.key, s]));
  const byName = new Map(steps.map((s) => [s.def.name.toLowerCase(), s]));
  const ref = (r: string): PlanStep | undefined => byKey.get(r) ?? byName.get(r.toLowerCase());
  const mode = steps.some((s) => s.def.depends_on !== undefined && s.def.depends_on.length > 0) ? 'dag' : 'sequential';
  for (const s of steps) {
    s.deps = (s.def.depends_on ?? []).map((d) => ref(d)?.key ?? d);
    if (s.def.alternative_step !== undefined) {
      const alt = ref(s.def.alternative_step);
      if (alt !== undefined) alt.fallbackOnly = true;
    }
  }
  return { definition, mode, steps, byKey };
}

/** Resolves a step reference (key or name) inside a plan. */
export function findPlanStep(plan: Plan, r: string): PlanStep | undefined {
  return plan.byKey.get(r) ?? plan.steps.find((s) => s.def.name.toLowerCase() === r.toLowerCase());
}

export interface ValidationReport {
  ok: boolean;
  definition?: ChainDefinition;
  errors: Problem[];
  warnings: Problem[];
}

function zodProblems(err: z.ZodError): Problem[] {
  return err.issues.slice(0, 100).map((i) => ({
    path: i.path.map((p, n) => (typeof p === 'number' ? `[${p}]` : `${n === 0 ? '' : '.'}${String(p)}`)).join('') || '(root)',
    message: i.message,
    severity: 'error' as const,
  }));
}

/** Every string inside a value, with its JSON path. */
function* templateStrings(value: unknown, path: string, depth = 0): Generator<[string, string]> {
  if (depth > 64) return;
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* templateStrings(value[i], `${path}[${i}]`, depth + 1);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) yield* templateStrings(v, `${path}.${k}`, depth + 1);
  }
}

/**
 * Checks a definition completely and reports every problem at once: schema errors, duplicate keys,
 * unknown step references, cycles, unknown tools, template syntax and unknown references.
 */
export function validateDefinition(input: unknown, tools?: ToolRegistry): ValidationReport {
  let size: number;
  try {
    size = JSON.stringify(input)?.length ?? 0;
  } catch {
    return { ok: false, errors: [{ path: '(root)', message: 'not JSON-serialisable', severity: 'error' }], warnings: [] };
  }
  if (size > MAX_DEFINITION_BYTES) {
    const mb = (size / 1e6).toFixed(1);
    return {
      ok: false,
      errors: [
        {
          path: '(root)',
          message: `definition is ${mb} MB; the limit is ${MAX_DEFINITION_BYTES / 1e6} MB. Keep large data outside the chain (fetch it in a step).`,
          severity: 'error',
        },
      ],
      warnings: [],
    };
  }
  const parsed = ChainDefinitionSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: zodProblems(parsed.error), warnings: [] };
  const def = parsed.data;
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const err = (path: string, message: string): void => void errors.push({ path, message, severity: 'error' });
  const warn = (path: string, message: string): void => void warnings.push({ path, message, severity: 'warning' });

  const plan = buildPlan(def);
  const seen = new Map<string, number>();
  const outputKeys = new Map<string, number>();
  plan.steps.forEach((s, i) => {
    const prev = seen.get(s.key);
    if (prev !== undefined) err(`steps[${i}]`, `step key "${s.key}" is also used by steps[${prev}]; give one an "id"`);
    seen.set(s.key, i);
    const ok = s.def.output_key;
    if (ok !== undefined) {
      if (RESERVED_OUTPUT_KEYS.has(ok)) err(`steps[${i}].output_key`, `"${ok}" is reserved; choose another output_key`);
      if (outputKeys.has(ok)) warn(`steps[${i}].output_key`, `output_key "${ok}" is also set by steps[${outputKeys.get(ok)}]; the later value wins`);
      outputKeys.set(ok, i);
    }
  });

  const refStep = (r: string, path: string): PlanStep | undefined => {
    const s = findPlanStep(plan, r);
    if (s === undefined) err(path, `no step "${r}"; steps are: ${plan.steps.map((x) => x.key).join(', ')}`);
    return s;
  };

  plan.steps.forEach((s, i) => {
    const p = `steps[${i}]`;
    const d = s.def;
    if (d.execution_mode === 'direct') {
      if (d.tool === undefined) err(`${p}.tool`, 'a direct step needs "tool" (or set execution_mode to "orchestrated")');
      else if (tools !== undefined && tools.find(d.tool, d.operation) === undefined) {
        const known = tools.find(d.tool) !== undefined || tools.has(d.tool);
        warn(
          `${p}.tool`,
          known
            ? `tool "${d.tool}" has no operation "${d.operation ?? ''}"; runs will fail at this step`
            : `unknown tool "${d.tool}${d.operation !== undefined ? `.${d.operation}` : ''}"; runs will fail at this step until it exists. Known: ${tools.qualifiedNames().join(', ')}`,
        );
      }
    } else {
      if (d.task_description === undefined) err(`${p}.task_description`, 'an orchestrated step needs "task_description"');
      for (const [j, t] of (d.allowed_tools ?? []).entries()) {
        const [tool, op] = t.includes('.') ? [t.slice(0, t.lastIndexOf('.')), t.slice(t.lastIndexOf('.') + 1)] : [t, undefined];
        if (tools !== undefined && !tools.has(tool) && tools.find(t) === undefined) warn(`${p}.allowed_tools[${j}]`, `unknown tool "${t}"`);
        void op;
      }
    }
    for (const [j, dep] of (d.depends_on ?? []).entries()) {
      const target = refStep(dep, `${p}.depends_on[${j}]`);
      if (target === s) err(`${p}.depends_on[${j}]`, 'a step cannot depend on itself');
    }
    if (d.alternative_step !== undefined) {
      const alt = refStep(d.alternative_step, `${p}.alternative_step`);
      if (alt === s) err(`${p}.alternative_step`, 'a step cannot be its own alternative');
      if (d.error_policy !== undefined && d.error_policy !== 'alternative') {
        warn(`${p}.alternative_step`, `alternative_step is only used with error_policy "alternative" (this step has "${d.error_policy}")`);
      }
    }
    if ((d.error_policy ?? def.error_policy) === 'alternative' && d.alternative_step === undefined && d.error_policy === 'alternative') {
      err(`${p}.alternative_step`, 'error_policy "alternative" needs "alternative_step"');
    }
    if (d.next_step_logic !== undefined) {
      if (plan.mode === 'dag') err(`${p}.next_step_logic`, 'next_step_logic works in sequential chains; with depends_on use "condition" on steps');
      for (const [j, b] of d.next_step_logic.branches.entries()) {
        if (b.goto !== undefined && b.goto !== 'end') {
          const t = refStep(b.goto, `${p}.next_step_logic.branches[${j}].goto`);
          if (t !== undefined && t.index <= i) {
            err(`${p}.next_step_logic.branches[${j}].goto`, `goto "${b.goto}" jumps backwards; use repeat_config for loops`);
          }
        }
      }
      const e = d.next_step_logic.else;
      if (e !== undefined && e !== 'end' && e !== 'next') {
        const t = refStep(e, `${p}.next_step_logic.else`);
        if (t !== undefined && t.index <= i) err(`${p}.next_step_logic.else`, `"${e}" jumps backwards; use repeat_config for loops`);
      }
    }
    if (d.repeat_config !== undefined && d.for_each !== undefined) err(p, 'use either repeat_config or for_each, not both');

    // Templates: syntax and references.
    const expr = (v: string | undefined): unknown => v;
    const fields: [string, unknown, 'template' | 'expression'][] = [
      ['parameters', d.parameters, 'template'],
      ['condition', expr(d.condition), 'expression'],
      ['for_each', expr(d.for_each), 'expression'],
      ['repeat_config.until', expr(d.repeat_config?.until), 'expression'],
      ['repeat_config.while', expr(d.repeat_config?.while), 'expression'],
      ['task_description', d.task_description, 'template'],
      ...(d.next_step_logic?.branches.map((b, j) => [`next_step_logic.branches[${j}].if`, b.if, 'expression'] as [string, unknown, 'expression']) ?? []),
      ['compensation.parameters', d.compensation?.parameters, 'template'],
    ];
    for (const [field, value, mode] of fields) {
      if (value === undefined) continue;
      let syntaxOk = true;
      for (const [path, text] of templateStrings(value, `${p}.${field}`)) {
        const chk = checkTemplate(text, { mode });
        if (!chk.ok) {
          syntaxOk = false;
          err(path, `${chk.message} (at position ${chk.position})`);
        }
      }
      if (!syntaxOk) continue;
      for (const root of referencedRoots(value, { mode })) {
        if (BUILTIN_ROOTS.has(root)) continue;
        const producer = outputKeys.get(root);
        if (producer === undefined) {
          err(`${p}.${field}`, `references "${root}", which no step produces (output keys: ${[...outputKeys.keys()].join(', ') || 'none'})`);
        } else if (plan.mode === 'sequential' && producer >= i) {
          warn(`${p}.${field}`, `references "${root}", produced by a later step (steps[${producer}])`);
        }
      }
    }
  });

  // Cycles in depends_on.
  if (plan.mode === 'dag') {
    const state = new Map<string, 1 | 2>();
    const stack: string[] = [];
    const visit = (k: string): boolean => {
      if (state.get(k) === 2) return false;
      if (state.get(k) === 1) {
        const from = stack.indexOf(k);
        err('steps', `dependency cycle: ${[...stack.slice(from), k].join(' → ')}`);
        return true;
      }
      state.set(k, 1);
      stack.push(k);
      const s = plan.byKey.get(k);
      for (const dep of s?.deps ?? []) if (plan.byKey.has(dep) && visit(dep)) return true;
      stack.pop();
      state.set(k, 2);
      return false;
    };
    for (const s of plan.steps) {
      stack.length = 0;
      if (visit(s.key)) break;
    }
  }
  return errors.length === 0 ? { ok: true, definition: def, errors, warnings } : { ok: false, errors, warnings };
}

/** Validates or throws a ValidationError listing every problem. */
export function parseDefinition(input: unknown, tools?: ToolRegistry): { definition: ChainDefinition; warnings: Problem[] } {
  const report = validateDefinition(input, tools);
  if (!report.ok || report.definition === undefined) {
    const lines = report.errors.slice(0, 20).map((p) => `- ${p.path}: ${p.message}`);
    const more = report.errors.length > 20 ? `\n- … and ${report.errors.length - 20} more` : '';
    throw new ValidationError(
      `the chain definition has ${report.errors.length} problem${report.errors.length === 1 ? '' : 's'}:\n${lines.join('\n')}${more}`,
      [...report.errors, ...report.warnings],
      'Fix the listed fields and try again; nothing was saved.',
    );
  }
  return { definition: report.definition, warnings: report.warnings };
}
