import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A short, URL-safe id whose first 9 characters encode the creation time, so ids sort by age
 * (ULID-like, lower case). `prefix` names the kind: chn_, run_, sch_, ntf_, evt_.
 */
export function newId(prefix: string, nowMs: number = Date.now()): string {
  let t = Math.floor(nowMs);
  let time = '';
  for (let i = 0; i < 9; i++) {
    time = ALPHABET[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(8);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 32]!;
  return `${prefix}_${time}${rand}`;
}
