import { Executor, type ExecutorDeps } from '../../src/engine/executor.js';
import { nullLogger } from '../../src/engine/logger.js';
import type { Clock, ToolDefinition } from '../../src/engine/ports.js';
import { type ServicesDeps, createServices } from '../../src/engine/services.js';
import { createBuiltinRegistry } from '../../src/engine/tools/builtins.js';
import { type OpenedStore, openStore } from '../../src/store/index.js';
import { TestClock } from './clock.js';

export interface Harness {
  store: OpenedStore;
  clock: Clock;
  executor: Executor;
  services: ReturnType<typeof createServices>;
  close(): void;
}

/** A real engine on a real (in-memory or file) SQLite database with the real migrations. */
export function makeEngine(
  opts: {
    path?: string;
    clock?: Clock;
    tools?: ToolDefinition[];
    executor?: Partial<ExecutorDeps>;
    onDefinitionSaved?: ServicesDeps['onDefinitionSaved'];
  } = {},
): Harness {
  const store = openStore(opts.path ?? ':memory:');
  const clock = opts.clock ?? new TestClock();
  const tools = createBuiltinRegistry({ net: { allowPrivate: true, allowHosts: [] }, shellEnabled: true });
  for (const t of opts.tools ?? []) tools.register(t);
  const executor = new Executor({ stores: store, tools, clock, log: nullLogger, owner: 'test-owner', ...opts.executor });
  const services = createServices({
    stores: store,
    executor,
    tools,
    clock,
    log: nullLogger,
    actor: 'tester',
    openScratch: () => openStore(':memory:'),
    onDefinitionSaved: opts.onDefinitionSaved,
  });
  return {
    store,
    clock,
    executor,
    services,
    close: () => {
      executor.close();
      store.close();
    },
  };
}

/** A tool whose operations count calls and can be told how to behave per call. */
export function probeTool(name = 'probe') {
  const calls: { op: string; params: Record<string, unknown>; idempotencyKey: string; attempt: number }[] = [];
  let failuresLeft = 0;
  let active = 0;
  let maxActive = 0;
  const tool: ToolDefinition = {
    name,
    description: 'test probe',
    operations: {
      call: {
        description: 'records the call and returns params',
        sideEffects: true,
        async execute(params, ctx) {
          calls.push({ op: 'call', params, idempotencyKey: ctx.idempotencyKey, attempt: ctx.attempt });
          if (failuresLeft > 0) {
            failuresLeft--;
            throw new Error('flaky failure');
          }
          return { echoed: params, n: calls.length };
        },
      },
      slow: {
        description: 'waits ms on the test clock, tracking concurrency',
        sideEffects: true,
        async execute(params, ctx) {
          calls.push({ op: 'slow', params, idempotencyKey: ctx.idempotencyKey, attempt: ctx.attempt });
          active++;
          maxActive = Math.max(maxActive, active);
          await new Promise((r) => setTimeout(r, Number(params['ms'] ?? 5)));
          active--;
          return { done: params['label'] ?? true };
        },
      },
      hang: {
        description: 'never finishes unless aborted',
        sideEffects: true,
        async execute(params, ctx) {
          calls.push({ op: 'hang', params, idempotencyKey: ctx.idempotencyKey, attempt: ctx.attempt });
          await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
          return null;
        },
      },
    },
  };
  return {
    tool,
    calls,
    failNext(n: number) {
      failuresLeft = n;
    },
    get maxActive() {
      return maxActive;
    },
  };
}
