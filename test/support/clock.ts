import type { Clock } from '../../src/engine/ports.js';

/**
 * A clock for tests: `now` only moves when told to, and `sleep` advances it at once instead of
 * waiting, so retries and loop intervals run instantly and deterministically.
 */
export class TestClock implements Clock {
  private t: number;
  readonly sleeps: number[] = [];

  constructor(start: string | number = '2025-03-05T15:15:00Z') {
    this.t = typeof start === 'number' ? start : Date.parse(start);
  }

  now(): Date {
    return new Date(this.t);
  }

  advance(ms: number): void {
    this.t += ms;
  }

  set(iso: string): void {
    this.t = Date.parse(iso);
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.t += ms;
    await Promise.resolve();
    if (signal?.aborted) throw signal.reason;
  }
}
