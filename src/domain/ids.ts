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
  let rand = '';
  for (let i = 0; i < 8; i++) rand += ALPHABET[nextRandomByte() % 32]!;
  return `${prefix}_${time}${rand}`;
}

/**
 * Random bytes drawn 4 KB at a time: ids are made in bursts (a thousand runs fired in one second),
 * and one `randomBytes` call per id costs more than the rest of making it.
 */
const pool = { bytes: Buffer.alloc(0), at: 0 };
function nextRandomByte(): number {
  if (pool.at >= pool.bytes.length) {
    pool.bytes = randomBytes(4096);
    pool.at = 0;
  }
  return pool.bytes[pool.at++]!;
}
