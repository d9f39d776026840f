import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Harness, makeEngine, probeTool } from '../support/engine.js';

let h: Harness;
afterEach(() => h?.close());

const stepOf = (runId: string, key: string, iteration = 0) =>
  h.services.getRun(runId).steps.find((s) => s.stepKey === key && s.iteration === iteration);

describe('linear chains in the seed format', () => {
  it('runs steps in order and passes whole objects through {key} references', async () => {
    h = makeEngine();
    h.services.createChain({
      name: 'Morning Brief Generator',
      description: 'Creates a daily morning briefing',
      schedule: { frequency: 'daily', time: '05:00:00', timezone: 'America/New_York' },
      error_policy: 'continue',
      timeout: 1800,
      steps: [
        { name: 'Get Weather', tool: 'data', operation: 'set', parameters: { value: { temperature: 72, condition: 'sunny' } }, output_key: 'weather' },
        { name: 'Generate Report', tool: 'util', operation: 'echo', parameters: { weather_data: '{weather}', line: 'It is {weather.condition} at {weather.temperature}F' }, output_key: 'report' },
      ],
    });
    const run = await h.services.runChain('Morning Brief Generator');
    expect(run.status).toBe('completed');
    expect(run.output).toEqual({
      weather: { temperature: 72, condition: 'sunny' },
      report: { weather_data: { temperature: 72, condition: 'sunny' }, line: 'It is sunny at 72F' },
    });
    const steps = h.services.getRun(run.id).steps;
    expect(steps.map((s) => [s.stepKey, s.status])).toEqual([
      ['get_weather', 'completed'],
      ['generate_report', 'completed'],
    ]);
    expect(steps[1]!.inputs).toEqual({ weather_data: { temperature: 72, condition: 'sunny' }, line: 'It is sunny at 72F' });
  });

  it('gives each side-effecting call an idempotency key of run:step:iteration', async () => {
    const probe = probeTool();
    h = makeEngine({ tools: [probe.tool] });
    h.services.createChain({ name: 'c', steps: [{ id: 'a', name: 'A', tool: 'probe', operation: 'call' }] });
    const run = await h.services.runChain('c');
    expect(probe.calls[0]!.idempotencyKey).toBe(`${run.id}:a:0`);
  });

  it('fails a step whose template names an unknown reference, saying which step and parameter', async () => {
    h = makeEngine();
    h.services.createChain({
      name: 'c',
      steps: [
        { name: 'A', tool: 'util', operation: 'echo', parameters: { value: 1 }, output_key: 'weather' },
        { name: 'B', tool: 'util', operation: 'echo', parameters: { value: '{weather.temp}' } },
      ],
    });
    const run = await h.services.runChain('c');
    expect(run.status).toBe('failed');
    expect(run.error?.stepKey).toBe('b');
    expect(run.error?.message).toMatch(/b\.parameters/);
  });
});

describe('references to steps that did not complete', () => {
  it('says which earlier step failed when a reference is missing', async () => {
    h = makeEngine();
    h.services.createChain({
      name: 'c',
      error_policy: 'continue',
      steps: [
        { name: 'Get Weather', tool: 'util', operation: 'fail', parameters: { retriable: false }, output_key: 'weather' },
        { name: 'Report', tool: 'util', operation: 'echo', parameters: { value: '{weather}' } },
      ],
    });
    const run = await h.services.runChain('c');
    expect(stepOf(run.id, 'report')!.error!.message).toContain('"weather" comes from step "get_weather", which failed');
  });
});

describe('DAGs', () => {
  it('runs A→B, A→C, B+C→D with B and C in parallel and D after both', async () => {
    const probe = probeTool();
    h = makeEngine({ tools: [probe.tool] });
    h.services.createChain({
      name: 'dag',
      steps: [
        { id: 'a', name: 'A', tool: 'probe', operation: 'slow', parameters: { label: 'a' }, output_key: 'a' },
        { id: 'b', name: 'B', tool: 'probe', operation: 'slow', parameters: { label: 'b', ms: 20 }, depends_on: ['a'], output_key: 'b' },
        { id: 'c', name: 'C', tool: 'probe', operation: 'slow', parameters: { label: 'c', ms: 20 }, depends_on: ['a'], output_key: 'c' },
        { id: 'd', name: 'D', tool: 'util', operation: 'echo', parameters: { value: ['{b.done}', '{c.done}'] }, depends_on: ['b', 'c'], output_key: 'd' },
      ],
    });
    const run = await h.services.runChain('dag');
    expect(run.status).toBe('completed');
    expect(probe.maxActive).toBe(2);
    expect(probe.calls.map((c) => c.params['label'])).toEqual(['a', 'b', 'c']);
    expect((run.output as Record<string, unknown>)['d']).toEqual(['b', 'c']);
    const seq = Object.fromEntries(h.services.getRun(run.id).steps.map((s) => [s.stepKey, s.seq]));
    expect(seq['d']).toBeGreaterThan(Math.max(seq['b']!, seq['c']!));
  });

  it('respects the concurrency limit', async () => {
    const probe = probeTool();
    h = makeEngine({ tools: [probe.tool] });
    h.services.createChain({
      name: 'wide',
      concurrency: 3,
      steps: [
        { id: 'root', name: 'root', tool: 'util', operation: 'echo' },
        ...Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, name: `p${i}`, tool: 'probe', operation: 'slow', parameters: { ms: 5 }, depends_on: ['root'] })),
      ],
    });
    await h.services.runChain('wide');
    expect(probe.maxActive).toBe(3);
  });

  it('marks dependents of a failed step blocked, with the reason, and keeps independent branches going under "continue"', async () => {
    h = makeEngine();
    h.services.createChain({
      name: 'd',
      error_policy: 'continue',
      steps: [
        { id: 'a', name: 'A', tool: 'util', operation: 'fail', parameters: { retriable: false } },
        { id: 'b', name: 'B', tool: 'util', operation: 'echo', depends_on: ['a'] },
        { id: 'c', name: 'C', tool: 'util', operation: 'echo', parameters: { value: 'independent' }, output_key: 'c' },
        { id: 'e', name: 'E', tool: 'util', operation: 'echo', depends_on: ['b'] },
      ],
    });
    const run = await h.services.runChain('d');
    expect(run.status).toBe('completed');
    expect(run.error?.code).toBe('steps_failed');
    expect(stepOf(run.id, 'b')!.status).toBe('blocked');
    expect(stepOf(run.id, 'b')!.detail!['reason']).toMatch(/prerequisite a/);
    expect(stepOf(run.id, 'e')!.status).toBe('blocked');
    expect(stepOf(run.id, 'c')!.status).toBe('completed');
  });
});

describe('control flow', () => {
  it('skips a step whose condition is false and records why', async () => {
    h = makeEngine();
    h.services.createChain({
      name: 'cond',
      steps: [
        { name: 'temp', tool: 'data', operation: 'set', parameters: { value: 12 }, output_key: 'temp' },
        { name: 'hot alert', tool: 'util', operation: 'echo', condition: '{temp > 30}', output_key: 'alert' },
        { name: 'done', tool: 'util', operation: 'echo', parameters: { value: '{alert | default("no alert")}' }, output_key: 'summary' },
      ],
    });
    const run = await h.services.runChain('cond');
    expect(stepOf(run.id, 'hot_alert')!.status).toBe('skipped');
    expect(String(stepOf(run.id, 'hot_alert')!.detail!['reason'])).toContain('condition is false');
    expect((run.output as Record<string, unknown>)['summary']).toBe('no alert');
  });

  it('branches with next_step_logic and records the steps it jumped over', async () => {
    h = makeEngine();
    h.services.createChain({
      name: 'branch',
      steps: [
        { id: 'check', name: 'check', tool: 'data', operation: 'set', parameters: { value: { temp: 35 } }, output_key: 'w',
          next_step_logic: { branches: [{ if: 'w.temp > 30', goto: 'alert' }], else: 'normal' } },
        { id: 'normal', name: 'normal', tool: 'util', operation: 'echo', parameters: { value: 'normal' }, output_key: 'msg' },
        { id: 'alert', name: 'alert', tool: 'util', operation: 'echo', parameters: { value: 'hot!' }, output_key: 'msg' },
      ],
    });
    const run = await h.services.runChain('branch');
    expect(run.status).toBe('completed');
    expect(stepOf(run.id, 'normal')!.status).toBe('skipped');
    expect(stepOf(run.id, 'check')!.detail!['next']).toBe('alert');
    expect((run.output as Record<string, unknown>)['msg']).toBe('hot!');
  });

  it('ends the chain early, as failed when the branch says so', async () => {
    h = makeEngine();
    h.services.createChain({
      name: 'end',
      steps: [
        { id: 'a', name: 'a', tool: 'data', operation: 'set', parameters: { value: 0 }, output_key: 'n',
          next_step_logic: { branches: [{ if: 'n == 0', end: 'failed', message: 'nothing to do' }] } },
        { id: 'b', name: 'b', tool: 'util', operation: 'echo' },
      ],
    });
    const run = await h.services.runChain('end');
    expect(run.status).toBe('failed');
    expect(run.error?.message).toBe('nothing to do');
    expect(stepOf(run.id, 'b')!.status).toBe('skipped');
  });

  it('repeats until a condition holds, capped by max_iterations, with loop.index available', async () => {
    h = makeEngine();
    h.services.createChain({
      name: 'loop',
      steps: [
        { id: 'poll', name: 'poll', tool: 'util', operation: 'echo', parameters: { value: '{loop.index * 10}' }, output_key: 'last',
          repeat_config: { max_iterations: 10, interval: 5, until: 'result >= 30' } },
      ],
    });
    const run = await h.services.runChain('loop');
    expect((run.output as Record<string, unknown>)['last']).toBe(30);
    expect(stepOf(run.id, 'poll')!.detail!['iterations']).toBe(4);
    expect(h.services.getRun(run.id).steps.filter((s) => s.iteration > 0)).toHaveLength(4);
  });

  it('stops a loop at max_iterations when until never holds', async () => {
    h = makeEngine();
    h.services.createChain({
      name: 'cap',
      steps: [{ id: 'x', name: 'x', tool: 'util', operation: 'echo', parameters: { value: 1 }, repeat_config: { max_iterations: 3, until: 'false' } }],
    });
    const run = await h.services.runChain('cap');
    expect(stepOf(run.id, 'x')!.detail!['iterations']).toBe(3);
  });

  it('runs for_each over a list and collects the results in order', async () => {
    h = makeEngine();
    h.services.createChain({
      name: 'each',
      steps: [
        { name: 'cities', tool: 'data', operation: 'set', parameters: { value: ['Berlin', 'Oslo', 'Lima'] }, output_key: 'cities' },
        { name: 'greet', tool: 'util', operation: 'echo', for_each: '{cities}', parameters: { value: '{loop.index}:{item | upper}' }, output_key: 'greetings' },
      ],
    });
    const run = await h.services.runChain('each');
    expect((run.output as Record<string, unknown>)['greetings']).toEqual(['0:BERLIN', '1:OSLO', '2:LIMA']);
  });
});

describe('failure handling', () => {
  it('retries with backoff, records each failed attempt, and succeeds', async () => {
    const probe = probeTool();
    h = makeEngine({ tools: [probe.tool] });
    probe.failNext(2);
    h.services.createChain({
      name: 'flaky',
      steps: [{ id: 'x', name: 'x', tool: 'probe', operation: 'call', retry_config: { max_attempts: 4, backoff: 'exponential', initial_delay: 1, jitter: false } }],
    });
    const run = await h.services.runChain('flaky');
    expect(run.status).toBe('completed');
    const detail = h.services.getRun(run.id);
    expect(detail.steps[0]!.attempt).toBe(3);
    expect(detail.attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(detail.attempts[0]!.error.message).toBe('flaky failure');
    expect((h.clock as unknown as { sleeps: number[] }).sleeps).toEqual([1000, 2000]);
    expect(new Set(probe.calls.map((c) => c.idempotencyKey)).size).toBe(1);
  });

  it('does not retry errors outside retry_on', async () => {
    h = makeEngine();
    h.services.createChain({
      name: 'x',
      steps: [{ id: 'x', name: 'x', tool: 'util', operation: 'fail', retry_config: { max_attempts: 5, retry_on: ['timeout'] } }],
    });
    const run = await h.services.runChain('x');
    expect(run.status).toBe('failed');
    expect(stepOf(run.id, 'x')!.attempt).toBe(1);
  });

  it('runs the alternative step when a step fails under "alternative"', async () => {
    h = makeEngine();
    h.services.createChain({
      name: 'alt',
      steps: [
        { id: 'primary', name: 'primary', tool: 'util', operation: 'fail', error_policy: 'alternative', alternative_step: 'backup', output_key: 'data' },
        { id: 'backup', name: 'backup', tool: 'data', operation: 'set', parameters: { value: 'cached' } },
        { id: 'use', name: 'use', tool: 'util', operation: 'echo', parameters: { value: 'got {data}' }, output_key: 'result' },
      ],
    });
    const run = await h.services.runChain('alt');
    expect(run.status).toBe('completed');
    expect((run.output as Record<string, unknown>)['result']).toBe('got cached');
  });

  it('rolls back: compensations of completed steps run in reverse order and are recorded', async () => {
    const probe = probeTool();
    h = makeEngine({ tools: [probe.tool] });
    h.services.createChain({
      name: 'saga',
      error_policy: 'rollback',
      steps: [
        { id: 'book_hotel', name: 'hotel', tool: 'probe', operation: 'call', parameters: { what: 'hotel' }, compensation: { tool: 'probe', operation: 'call', parameters: { undo: 'hotel' } } },
        { id: 'book_car', name: 'car', tool: 'probe', operation: 'call', parameters: { what: 'car' }, compensation: { tool: 'probe', operation: 'call', parameters: { undo: 'car' } } },
        { id: 'pay', name: 'pay', tool: 'util', operation: 'fail', parameters: { retriable: false, message: 'card declined' } },
      ],
    });
    const run = await h.services.runChain('saga');
    expect(run.status).toBe('failed');
    expect(run.error?.message).toContain('card declined');
    expect(run.error?.message).toContain('rolled back');
    expect(probe.calls.map((c) => c.params['undo'] ?? c.params['what'])).toEqual(['hotel', 'car', 'car', 'hotel']);
    expect(stepOf(run.id, 'compensate:book_car')!.status).toBe('completed');
  });

  it('stops at the first failure by default and skips the rest with a reason', async () => {
    h = makeEngine();
    h.services.createChain({
      name: 's',
      steps: [
        { id: 'a', name: 'a', tool: 'util', operation: 'fail', parameters: { retriable: false } },
        { id: 'b', name: 'b', tool: 'util', operation: 'echo' },
      ],
    });
    const run = await h.services.runChain('s');
    expect(run.status).toBe('failed');
    expect(run.error?.stepKey).toBe('a');
    expect(stepOf(run.id, 'b')).toBeUndefined();
  });

  it('times a step out through its AbortSignal', async () => {
    const probe = probeTool();
    h = makeEngine({ tools: [probe.tool] });
    h.services.createChain({ name: 't', steps: [{ id: 'h', name: 'h', tool: 'probe', operation: 'hang', timeout: 0.05 }] });
    const run = await h.services.runChain('t');
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('timeout');
    expect(run.error?.message).toMatch(/0\.05s timeout/);
  });
});

describe('sub-chains', () => {
  it('runs a sub-chain with its own run record and returns its outputs', async () => {
    h = makeEngine();
    h.services.createChain({ name: 'child', steps: [{ name: 'x', tool: 'util', operation: 'echo', parameters: { value: 'hi {inputs.who}' }, output_key: 'greeting' }] });
    h.services.createChain({
      name: 'parent',
      steps: [{ name: 'call', tool: 'chain', operation: 'run', parameters: { chain: 'child', inputs: { who: 'Ada' } }, output_key: 'sub' }],
    });
    const run = await h.services.runChain('parent');
    const sub = (run.output as Record<string, Record<string, unknown>>)['sub']!;
    expect(sub['greeting']).toBe('hi Ada');
    const child = h.services.getRun(String(sub['run_id']));
    expect(child.trigger).toBe('subchain');
    expect(child.parentRunId).toBe(run.id);
  });

  it('refuses runaway recursion', async () => {
    h = makeEngine();
    h.services.createChain({ name: 'loop', steps: [{ name: 'again', tool: 'chain', operation: 'run', parameters: { chain: 'loop' } }] });
    const run = await h.services.runChain('loop');
    expect(run.status).toBe('failed');
    expect(JSON.stringify(h.services.history({ limit: 20 }).map((r) => r.error?.message))).toMatch(/nest more than 8/);
  });
});

describe('pause, resume and cancel of a running chain', () => {
  it('cancels a run while a step is in flight: the step is aborted and the rest never runs', async () => {
    const probe = probeTool();
    h = makeEngine({ tools: [probe.tool] });
    h.services.createChain({
      name: 'long',
      steps: [
        { id: 'hang', name: 'hang', tool: 'probe', operation: 'hang' },
        { id: 'after', name: 'after', tool: 'probe', operation: 'call' },
      ],
    });
    const run = h.services.startRun('long');
    const done = h.services.executeRun(run.id);
    await vi.waitFor(() => expect(probe.calls).toHaveLength(1));
    h.services.cancelRun(run.id);
    const finished = await done;
    expect(finished.status).toBe('cancelled');
    expect(probe.calls.map((c) => c.op)).toEqual(['hang']);
  });

  it('pauses at the next step boundary and resumes where it stopped, re-running nothing', async () => {
    const probe = probeTool();
    h = makeEngine({ tools: [probe.tool] });
    h.services.createChain({
      name: 'steps',
      steps: [
        { id: 'one', name: 'one', tool: 'probe', operation: 'slow', parameters: { label: 1, ms: 400 } },
        { id: 'two', name: 'two', tool: 'probe', operation: 'call', parameters: { label: 2 } },
      ],
    });
    const run = h.services.startRun('steps');
    const done = h.services.executeRun(run.id);
    await vi.waitFor(() => expect(probe.calls).toHaveLength(1));
    h.services.pauseRun(run.id);
    expect((await done).status).toBe('paused');
    expect(probe.calls).toHaveLength(1);
    h.services.resumeRun(run.id);
    const resumed = await h.services.executeRun(run.id);
    expect(resumed.status).toBe('completed');
    expect(probe.calls.map((c) => c.params['label'])).toEqual([1, 2]);
  });
});
