/** JSON columns: tolerant readers (a bad row must not take a whole listing down). */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function fromJson<T = unknown>(text: unknown, fallback: T): T {
  if (typeof text !== 'string') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function isoOrNull(ms: unknown): string | null {
  return typeof ms === 'number' || typeof ms === 'bigint' ? new Date(Number(ms)).toISOString() : null;
}

export function iso(ms: unknown): string {
  return new Date(Number(ms)).toISOString();
}
