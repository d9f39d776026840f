import { afterEach, describe, expect, it } from 'vitest';
import { type McpHarness, WEATHER_CHAIN, connectMcp } from './harness.js';

let m: McpHarness;
afterEach(async () => {
  await m?.close();
});

describe('remind', () => {
  it('answers with what was understood, the next runs and the assumptions', async () => {
    m = await connectMcp();
    const r = await m.call('remind', {
      text: 'remind me every Monday at 9am to send the report',
      timezone: 'Europe/Berlin',
    });
    expect(r.isError).toBeFalsy();
    expect(r.data).toMatchObject({
      ok: true,
      status: 'scheduled',
      understood: { kind: 'recurring', task: 'send the report', timezone: 'Europe/Berlin' },
      schedule: { kind: 'reminder', enabled: true },
    });
    expect(r.data.understood.next[0]).toBe('2025-03-10T09:00:00+01:00');
    expect(r.text).toContain('every Monday at 09:00 (Europe/Berlin)');
    expect(r.text).toContain('Confirm to the user');
    const list = await m.chainTool({ operation: 'schedule', chain_id: r.data.chain.id });
    expect(list.data.schedules).toHaveLength(1);
  });

  it('asks instead of guessing, and saves nothing', async () => {
    m = await connectMcp();
    const r = await m.call('remind', { text: 'remind me at 8 to call mom' });
    expect(r.isError).toBeFalsy();
    expect(r.data.status).toBe('needs_clarification');
    expect(r.data.question).toMatch(/am or pm/);
    expect(r.text).toContain('Ask the user');
    expect(m.h.services.listChains()).toEqual([]);
  });

  it('refuses a time in the past with the reason', async () => {
    m = await connectMcp();
    const r = await m.call('remind', { text: 'remind me on 1 January 2020 at 9am to pay rent' });
    expect(r.isError).toBe(true);
    expect(r.data.error.code).toMatch(/past/);
    expect(m.h.services.listChains()).toEqual([]);
  });
});

describe('schedule, pause/resume/cancel of schedules and chains, emit', () => {
  it('attaches a schedule from words, replaces it, pauses, resumes and removes it', async () => {
    m = await connectMcp();
    const c = await m.chainTool({ operation: 'create', definition: WEATHER_CHAIN });
    const s = await m.chainTool({
      operation: 'schedule',
      chain_id: c.data.chain.id,
      when: 'every weekday at 7:30',
      timezone: 'America/Chicago',
    });
    expect(s.isError).toBeFalsy();
    expect(s.data.schedule).toMatchObject({ kind: 'schedule', timezone: 'America/Chicago', enabled: true });
    expect(s.data.schedule.next).toHaveLength(5);
    expect(s.text).toContain('Next runs:');
    const s2 = await m.chainTool({
      operation: 'schedule',
      name: 'Morning weather',
      when: 'every day at 6pm',
    });
    const listed = await m.chainTool({ operation: 'schedule', name: 'Morning weather' });
    expect(
      listed.data.schedules.filter((x: { enabled: boolean }) => x.enabled).map((x: { id: string }) => x.id),
    ).toEqual([s2.data.schedule.id]);

    const id = s2.data.schedule.id as string;
    expect((await m.chainTool({ operation: 'pause', schedule_id: id })).data.schedule.enabled).toBe(false);
    expect((await m.chainTool({ operation: 'resume', schedule_id: id })).data.schedule.enabled).toBe(true);
    const removed = await m.chainTool({ operation: 'cancel', schedule_id: id });
    expect(removed.text).toContain('will not fire again');
    const bad = await m.chainTool({
      operation: 'schedule',
      name: 'Morning weather',
      when: 'whenever you feel like it',
    });
    expect(bad.isError).toBe(true);
  });

  it('pauses and resumes a whole chain', async () => {
    m = await connectMcp();
    await m.chainTool({ operation: 'create', definition: WEATHER_CHAIN });
    const p = await m.chainTool({ operation: 'pause', name: 'Morning weather' });
    expect(p.data.chain.status).toBe('paused');
    const r = await m.chainTool({ operation: 'resume', name: 'Morning weather' });
    expect(r.data.chain.status).toBe('active');
  });

  it('emits an event that starts the chains listening to it', async () => {
    m = await connectMcp();
    const c = await m.chainTool({ operation: 'create', definition: WEATHER_CHAIN });
    m.scheduling.addTrigger(c.data.chain.id, 'weather.requested');
    const e = await m.chainTool({ operation: 'emit', event: 'weather.requested', data: { city: 'Oslo' } });
    expect(e.data.runs).toHaveLength(1);
    expect(e.text).toContain('started 1 run(s)');
    const none = await m.chainTool({ operation: 'emit', event: 'nobody.listens' });
    expect(none.text).toContain('no chain has a trigger');
  });
});
