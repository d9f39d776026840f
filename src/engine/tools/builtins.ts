import { spawn } from 'node:child_process';
import { z } from 'zod';
import { AppError, NonRetriableError } from '../../domain/errors.js';
import type { ToolDefinition } from '../ports.js';
import { httpTool } from './http.js';
import type { NetPolicy } from './net-guard.js';
import { ToolRegistry } from './registry.js';

export interface BuiltinOptions {
  net: NetPolicy;
  /** shell.exec is registered only when this is true. */
  shellEnabled: boolean;
  fetch?: typeof fetch;
}

const utilTool: ToolDefinition = {
  name: 'util',
  description: 'Small helpers: echo a value, wait, fail on purpose (for testing error handling)',
  operations: {
    echo: {
      description: 'Returns its "value" parameter (or all parameters) unchanged.',
      sideEffects: false,
      execute: async (p) => ('value' in p ? p['value'] : p),
    },
    wait: {
      description: 'Waits "seconds" (or "ms") and returns when it woke.',
      parameters: z.object({ seconds: z.number().nonnegative().max(86_400).optional(), ms: z.number().int().nonnegative().max(86_400_000).optional() }).strict(),
      sideEffects: false,
      async execute(p, ctx) {
        const ms = typeof p['ms'] === 'number' ? p['ms'] : Math.round(Number(p['seconds'] ?? 0) * 1000);
        await ctx.clock.sleep(ms, ctx.signal);
        return { waited_ms: ms, woke_at: ctx.clock.now().toISOString() };
      },
    },
    fail: {
      description: 'Fails with "message"; "retriable": false makes it permanent. For testing error policies.',
      parameters: z.object({ message: z.string().default('failed on purpose'), retriable: z.boolean().default(true) }).strict(),
      sideEffects: false,
      async execute(p) {
        const msg = String(p['message']);
        if (p['retriable'] === false) throw new NonRetriableError('tool_error', msg);
        throw new AppError('tool_error', msg);
      },
    },
  },
};

const dataTool: ToolDefinition = {
  name: 'data',
  description: 'Shape data between steps',
  operations: {
    set: {
      description: 'Returns the resolved "value" parameter (or all parameters): use templates to pick and rename fields.',
      sideEffects: false,
      execute: async (p) => ('value' in p ? p['value'] : p),
    },
    merge: {
      description: 'Shallow-merges the objects in "objects" (later wins).',
      parameters: z.object({ objects: z.array(z.record(z.string(), z.unknown())) }).strict(),
      sideEffects: false,
      execute: async (p) => Object.assign({}, ...(p['objects'] as object[])),
    },
  },
};

const notifyTool: ToolDefinition = {
  name: 'notify',
  description: 'Notifications to the person: the inbox, and desktop/webhook channels when configured',
  defaultOperation: 'send',
  operations: {
    send: {
      description: 'Stores a notification ({ title, message }) that the chat shows in the next tool result and the inbox.',
      parameters: z
        .object({
          title: z.string().min(1).max(500).optional(),
          message: z.unknown(),
          kind: z.enum(['reminder', 'message']).default('message'),
          due_at: z.string().optional(),
        })
        .strict(),
      sideEffects: true,
      async execute(p, ctx) {
        const message = typeof p['message'] === 'string' ? p['message'] : JSON.stringify(p['message'], null, 2);
        const res = await ctx.host.notify(
          {
            kind: p['kind'] as 'reminder' | 'message',
            title: (p['title'] as string | undefined) ?? (p['kind'] === 'reminder' ? 'Reminder' : 'Message'),
            body: message ?? '',
            dueAt: p['due_at'] as string | undefined,
          },
          ctx,
        );
        return { notification_id: res.id, delivered: 'inbox' };
      },
    },
  },
};

const chainTool: ToolDefinition = {
  name: 'chain',
  description: 'Run another chain as a sub-chain',
  defaultOperation: 'run',
  operations: {
    run: {
      description: 'Runs the chain "chain" (id or name) with "inputs" and returns its outputs.',
      parameters: z.object({ chain: z.string().min(1), inputs: z.record(z.string(), z.unknown()).default({}) }).strict(),
      sideEffects: true,
      execute: async (p, ctx) => ctx.host.runChain(String(p['chain']), p['inputs'] as Record<string, unknown>, ctx),
    },
  },
};

const eventTool: ToolDefinition = {
  name: 'event',
  description: 'Named events that can trigger other chains',
  defaultOperation: 'emit',
  operations: {
    emit: {
      description: 'Emits event "name" with "data".',
      parameters: z.object({ name: z.string().min(1).max(200), data: z.unknown().optional() }).strict(),
      sideEffects: true,
      async execute(p, ctx) {
        await ctx.host.emit(String(p['name']), p['data'] ?? null, ctx);
        return { emitted: p['name'] };
      },
    },
  },
};

const MAX_SHELL_OUTPUT = 1_000_000;

const shellTool: ToolDefinition = {
  name: 'shell',
  description: 'Run a local command (enabled by CHAINLOOM_SHELL=1)',
  defaultOperation: 'exec',
  operations: {
    exec: {
      description: 'Runs "command" with "args" (no shell interpolation); returns { exit_code, stdout, stderr }.',
      parameters: z
        .object({
          command: z.string().min(1),
          args: z.array(z.string()).default([]),
          cwd: z.string().optional(),
          stdin: z.string().optional(),
          fail_on_exit: z.boolean().default(true),
        })
        .strict(),
      sideEffects: true,
      execute: (p, ctx) =>
        new Promise((resolve, reject) => {
          const child = spawn(String(p['command']), p['args'] as string[], {
            cwd: p['cwd'] as string | undefined,
            signal: ctx.signal,
            stdio: ['pipe', 'pipe', 'pipe'],
          });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (d: Buffer) => void (stdout.length < MAX_SHELL_OUTPUT && (stdout += d.toString())));
          child.stderr.on('data', (d: Buffer) => void (stderr.length < MAX_SHELL_OUTPUT && (stderr += d.toString())));
          child.on('error', (err) => reject(new AppError('tool_error', `could not run ${String(p['command'])}: ${err.message}`)));
          child.on('close', (code) => {
            if (code !== 0 && p['fail_on_exit'] !== false) {
              reject(new AppError('tool_error', `${String(p['command'])} exited with ${code}: ${stderr.slice(0, 300)}`));
            } else resolve({ exit_code: code, stdout, stderr });
          });
          child.stdin.end(typeof p['stdin'] === 'string' ? p['stdin'] : undefined);
        }),
    },
  },
};

/** A registry with every built-in tool the configuration allows. */
export function createBuiltinRegistry(opts: BuiltinOptions): ToolRegistry {
  const reg = new ToolRegistry()
    .register(utilTool)
    .register(dataTool)
    .register(httpTool(opts.net, opts.fetch))
    .register(notifyTool)
    .register(chainTool)
    .register(eventTool);
  if (opts.shellEnabled) reg.register(shellTool);
  return reg;
}
