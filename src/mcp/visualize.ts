import type { ChainDefinition } from '../domain/chain.js';
import { buildPlan } from '../engine/plan.js';

/** Step statuses of a run, by step key (iteration 0 = the step's outcome). */
export type StepStatusMap = Map<string, { status: string; durationMs: number | null }>;

const STATUS_MARK: Record<string, string> = {
  completed: '✓',
  failed: '✗',
  skipped: '⤼',
  blocked: '⊘',
  cancelled: '⊘',
  running: '…',
  pending: '○',
};

/** Text inside a quoted Mermaid label: quotes and angle brackets as entities, length bounded. */
function label(text: string, max = 60): string {
  const t = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return t
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/[\r\n]+/g, ' ');
}

function nodeIds(keys: string[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const k of keys) {
    let id = `s_${k.replace(/[^A-Za-z0-9_]/g, '_')}`;
    for (let n = 2; used.has(id); n++) id = `s_${k.replace(/[^A-Za-z0-9_]/g, '_')}_${n}`;
    used.add(id);
    ids.set(k, id);
  }
  return ids;
}

/**
 * A Mermaid flowchart of a chain: steps in order (or by `depends_on` for a DAG), branches with their
 * conditions, fallbacks as dotted edges. Given a run's step statuses, each step shows its status and
 * is coloured by it.
 */
export function chainFlowchart(def: ChainDefinition, statuses?: StepStatusMap, runStatus?: string): string {
  const plan = buildPlan(def);
  const ids = nodeIds(plan.steps.map((s) => s.key));
  const id = (key: string): string => ids.get(key) ?? 'finish';
  const lines = ['flowchart TD', `  start(["${label(`Start: ${def.name}`)}"])`];
  for (const s of plan.steps) {
    const what =
      s.def.execution_mode === 'orchestrated'
        ? 'LLM step'
        : [s.def.tool, s.def.operation].filter(Boolean).join('.');
    const st = statuses?.get(s.key);
    const status =
      st === undefined
        ? statuses !== undefined
          ? 'not reached'
          : ''
        : `${STATUS_MARK[st.status] ?? ''} ${st.status}`;
    const text = [s.def.name, what, status]
      .filter((p) => p !== '')
      .map((p) => label(p))
      .join('<br/>');
    const shape = s.def.condition !== undefined ? [`{{"`, `"}}`] : ['["', '"]'];
    lines.push(`  ${id(s.key)}${shape[0]}${text}${shape[1]}`);
  }
  const endText = runStatus === undefined ? 'End' : `End: ${runStatus}`;
  lines.push(`  finish(["${label(endText)}"])`);

  const flow = plan.steps.filter((s) => !s.fallbackOnly);
  const edges: string[] = [];
  const hasIncoming = new Set<string>();
  const edge = (from: string, to: string, text?: string, dotted = false): void => {
    const arrow = dotted
      ? text === undefined
        ? '-.->'
        : `-. "${label(text, 40)}" .->`
      : text === undefined
        ? '-->'
        : `-- "${label(text, 40)}" -->`;
    edges.push(`  ${from} ${arrow} ${to}`);
    hasIncoming.add(to);
  };
  if (plan.mode === 'dag') {
    const dependents = new Set(flow.flatMap((s) => s.deps));
    for (const s of flow) {
      if (s.deps.length === 0) edge('start', id(s.key));
      for (const d of s.deps) edge(id(d), id(s.key));
      if (!dependents.has(s.key)) edge(id(s.key), 'finish');
    }
  } else {
    const first = flow[0];
    if (first !== undefined) edge('start', id(first.key));
    flow.forEach((s, i) => {
      const next = flow[i + 1];
      const logic = s.def.next_step_logic;
      for (const b of logic?.branches ?? []) {
        const target =
          b.end !== undefined && b.end !== false
            ? 'finish'
            : b.goto === 'end'
              ? 'finish'
              : (plan.byKey.get(b.goto ?? '')?.key ??
                plan.steps.find((p) => p.def.name.toLowerCase() === (b.goto ?? '').toLowerCase())?.key);
        edge(
          id(s.key),
          target === 'finish' || target === undefined ? 'finish' : id(target),
          `if ${b.if}${b.end === 'failed' ? ' (fail)' : ''}`,
        );
      }
      const fallthrough =
        logic?.else !== undefined && logic.else !== 'next'
          ? logic.else === 'end'
            ? 'finish'
            : id(plan.byKey.get(logic.else)?.key ?? logic.else)
          : next !== undefined
            ? id(next.key)
            : 'finish';
      edge(id(s.key), fallthrough, logic !== undefined && logic.branches.length > 0 ? 'else' : undefined);
    });
    if (flow.length === 0) edge('start', 'finish');
  }
  for (const s of plan.steps) {
    if (s.def.alternative_step === undefined) continue;
    const alt = plan.steps.find(
      (p) =>
        p.key === s.def.alternative_step ||
        p.def.name.toLowerCase() === s.def.alternative_step!.toLowerCase(),
    );
    if (alt !== undefined) edge(id(s.key), id(alt.key), 'on failure', true);
  }
  // A fallback step continues where the failed step would have.
  for (const s of plan.steps.filter((p) => p.fallbackOnly)) {
    if (!edges.some((e) => e.startsWith(`  ${id(s.key)} `))) edge(id(s.key), 'finish', undefined, true);
  }
  lines.push(...edges);

  if (statuses !== undefined) {
    lines.push(
      '  classDef completed fill:#d3f9d8,stroke:#2b8a3e',
      '  classDef failed fill:#ffe3e3,stroke:#c92a2a',
      '  classDef skipped fill:#f1f3f5,stroke:#868e96,stroke-dasharray: 4 3',
      '  classDef running fill:#fff3bf,stroke:#e67700',
      '  classDef notreached fill:#ffffff,stroke:#adb5bd,stroke-dasharray: 2 2',
    );
    for (const s of plan.steps) {
      const st = statuses.get(s.key)?.status;
      const cls = st === undefined ? 'notreached' : st === 'blocked' || st === 'cancelled' ? 'skipped' : st;
      lines.push(`  class ${id(s.key)} ${cls}`);
    }
  }
  return lines.join('\n');
}
