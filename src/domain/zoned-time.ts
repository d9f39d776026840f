/**
 * The local fields of an instant in an IANA zone, with nothing but `Intl`. Shared by schedule/
 * (wall-clock arithmetic) and template/ (the `date` filter), so both read time zones the same way.
 */

const MS_PER_MINUTE = 60_000;

/** The local fields of an instant in a zone; `weekday` is 0 = Sunday ... 6 = Saturday. */
export interface ZonedFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
  offsetMinutes: number;
}

/**
 * Formatters are expensive to build (~0.2 ms each), so one per zone is kept. The map is bounded:
 * it is a cache of pure values, not state that changes behaviour.
 */
const MAX_CACHED_ZONES = 256;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size >= MAX_CACHED_ZONES) formatters.clear();
    formatters.set(zone, f);
  }
  return f;
}

/**
 * Offsets are cached per zone per quarter hour of UTC: every offset change since 1970 happens on a
 * quarter-hour boundary, so a bucket never straddles a change. Bounded like the formatters.
 */
const MAX_CACHED_OFFSETS = 20_000;
const offsetCache = new Map<string, number>();
const BUCKET_MS = 15 * MS_PER_MINUTE;

function rawFields(zone: string, ms: number): [number, number, number, number, number, number] {
  const out: [number, number, number, number, number, number] = [0, 0, 0, 0, 0, 0];
  for (const p of formatterFor(zone).formatToParts(new Date(ms))) {
    switch (p.type) {
      case 'year':
        out[0] = Number(p.value);
        break;
      case 'month':
        out[1] = Number(p.value);
        break;
      case 'day':
        out[2] = Number(p.value);
        break;
      case 'hour':
        out[3] = Number(p.value) % 24;
        break;
      case 'minute':
        out[4] = Number(p.value);
        break;
      case 'second':
        out[5] = Number(p.value);
        break;
      default:
        break;
    }
  }
  return out;
}

/** Minutes east of UTC of `zone` at the instant `ms`. */
export function offsetMinutes(zone: string, ms: number): number {
  const bucket = Math.floor(ms / BUCKET_MS);
  const key = `${zone}|${bucket}`;
  const hit = offsetCache.get(key);
  if (hit !== undefined) return hit;
  const probe = bucket * BUCKET_MS;
  const [y, mo, d, h, mi, s] = rawFields(zone, probe);
  const offset = Math.round((Date.UTC(y, mo - 1, d, h, mi, s) - probe) / MS_PER_MINUTE);
  if (offsetCache.size >= MAX_CACHED_OFFSETS) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

/** The local fields of an instant in `zone` (which must be valid: see {@link lookupZone}). */
export function zonedFields(zone: string, ms: number): ZonedFields {
  const offset = offsetMinutes(zone, ms);
  const local = new Date(ms + offset * MS_PER_MINUTE);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    weekday: local.getUTCDay(),
    offsetMinutes: offset,
  };
}

/** Zone name → canonical name (or null when unknown); building a formatter to check is slow. */
const zoneNames = new Map<string, string | null>();

export function lookupZone(zone: string): string | null {
  let hit = zoneNames.get(zone);
  if (hit === undefined) {
    try {
      hit = zone.trim() === '' ? null : new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    } catch {
      hit = null;
    }
    if (zoneNames.size >= MAX_CACHED_ZONES * 4) zoneNames.clear();
    zoneNames.set(zone, hit);
  }
  return hit;
}

