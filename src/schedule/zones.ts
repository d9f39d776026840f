import { type Ctx, type Frag, seq, tok, w } from './grammar-core.js';
import { canonicalTimeZone, isValidTimeZone } from './wall-clock.js';

/**
 * Zone words → IANA zones. Abbreviations are read as the region's wall time (so "PST" in July is
 * Pacific daylight time, not a fixed −08:00), and the reading is reported as an assumption.
 */
const ABBREVIATIONS: Record<string, string> = {
  utc: 'UTC', z: 'UTC', zulu: 'UTC', gmt: 'UTC',
  pst: 'America/Los_Angeles', pdt: 'America/Los_Angeles', pt: 'America/Los_Angeles',
  mst: 'America/Denver', mdt: 'America/Denver', mt: 'America/Denver',
  cst: 'America/Chicago', cdt: 'America/Chicago', ct: 'America/Chicago',
  est: 'America/New_York', edt: 'America/New_York', et: 'America/New_York',
  akst: 'America/Anchorage', akdt: 'America/Anchorage', hst: 'Pacific/Honolulu',
  ast: 'America/Halifax', adt: 'America/Halifax', nst: 'America/St_Johns', ndt: 'America/St_Johns',
  bst: 'Europe/London',
  cet: 'Europe/Paris', cest: 'Europe/Paris', eet: 'Europe/Athens', eest: 'Europe/Athens',
  msk: 'Europe/Moscow', ist: 'Asia/Kolkata', pkt: 'Asia/Karachi', sgt: 'Asia/Singapore',
  hkt: 'Asia/Hong_Kong', jst: 'Asia/Tokyo', kst: 'Asia/Seoul', wib: 'Asia/Jakarta',
  aest: 'Australia/Sydney', aedt: 'Australia/Sydney', acst: 'Australia/Adelaide',
  acdt: 'Australia/Adelaide', awst: 'Australia/Perth', nzst: 'Pacific/Auckland',
  nzdt: 'Pacific/Auckland', brt: 'America/Sao_Paulo', sast: 'Africa/Johannesburg',
};

const ZONE_AREAS = /^(africa|america|antarctica|arctic|asia|atlantic|australia|europe|indian|pacific|etc|us|canada|brazil|mexico|chile)\//i;

/** Two-letter abbreviations are only zones right after a time ("9am ET"). */
const SHORT_ABBREVIATIONS = new Set(['pt', 'mt', 'ct', 'et', 'z']);

const AMBIGUOUS_NOTES: Record<string, string> = {
  ist: '"IST" read as India Standard Time (Asia/Kolkata), not Irish or Israel time.',
  cst: '"CST" read as US Central time (America/Chicago), not China Standard Time.',
  gmt: '"GMT" read as UTC (no daylight saving); say "London time" for UK time.',
  bst: '"BST" read as UK time (Europe/London).',
};

/** Region words used before "time": "Pacific time", "Central European time". */
const REGIONS: Record<string, string> = {
  pacific: 'America/Los_Angeles', mountain: 'America/Denver', central: 'America/Chicago',
  eastern: 'America/New_York', atlantic: 'America/Halifax', alaska: 'America/Anchorage',
  hawaii: 'Pacific/Honolulu', 'central european': 'Europe/Paris', 'eastern european': 'Europe/Athens',
  'western european': 'Europe/Lisbon', british: 'Europe/London', uk: 'Europe/London',
  japan: 'Asia/Tokyo', japanese: 'Asia/Tokyo', india: 'Asia/Kolkata', indian: 'Asia/Kolkata',
  china: 'Asia/Shanghai', chinese: 'Asia/Shanghai', korea: 'Asia/Seoul', korean: 'Asia/Seoul',
  universal: 'UTC', coordinated: 'UTC', greenwich: 'UTC',
};

/** City names (one to three words) → zone. */
const CITIES: Record<string, string> = {
  tokyo: 'Asia/Tokyo', osaka: 'Asia/Tokyo', london: 'Europe/London', paris: 'Europe/Paris',
  berlin: 'Europe/Berlin', madrid: 'Europe/Madrid', rome: 'Europe/Rome', amsterdam: 'Europe/Amsterdam',
  brussels: 'Europe/Brussels', zurich: 'Europe/Zurich', vienna: 'Europe/Vienna',
  stockholm: 'Europe/Stockholm', oslo: 'Europe/Oslo', copenhagen: 'Europe/Copenhagen',
  helsinki: 'Europe/Helsinki', dublin: 'Europe/Dublin', lisbon: 'Europe/Lisbon', athens: 'Europe/Athens',
  istanbul: 'Europe/Istanbul', moscow: 'Europe/Moscow', warsaw: 'Europe/Warsaw', prague: 'Europe/Prague',
  budapest: 'Europe/Budapest', kyiv: 'Europe/Kiev', kiev: 'Europe/Kiev', dubai: 'Asia/Dubai',
  mumbai: 'Asia/Kolkata', delhi: 'Asia/Kolkata', 'new delhi': 'Asia/Kolkata', bangalore: 'Asia/Kolkata',
  bengaluru: 'Asia/Kolkata', kolkata: 'Asia/Kolkata', singapore: 'Asia/Singapore',
  'hong kong': 'Asia/Hong_Kong', shanghai: 'Asia/Shanghai', beijing: 'Asia/Shanghai', seoul: 'Asia/Seoul',
  taipei: 'Asia/Taipei', bangkok: 'Asia/Bangkok', jakarta: 'Asia/Jakarta', manila: 'Asia/Manila',
  'kuala lumpur': 'Asia/Kuala_Lumpur', karachi: 'Asia/Karachi', riyadh: 'Asia/Riyadh',
  'tel aviv': 'Asia/Jerusalem', jerusalem: 'Asia/Jerusalem', cairo: 'Africa/Cairo', lagos: 'Africa/Lagos',
  nairobi: 'Africa/Nairobi', johannesburg: 'Africa/Johannesburg', 'cape town': 'Africa/Johannesburg',
  sydney: 'Australia/Sydney', melbourne: 'Australia/Melbourne', brisbane: 'Australia/Brisbane',
  perth: 'Australia/Perth', adelaide: 'Australia/Adelaide', auckland: 'Pacific/Auckland',
  'new york': 'America/New_York', nyc: 'America/New_York', boston: 'America/New_York',
  washington: 'America/New_York', miami: 'America/New_York', atlanta: 'America/New_York',
  toronto: 'America/Toronto', montreal: 'America/Toronto', chicago: 'America/Chicago',
  dallas: 'America/Chicago', houston: 'America/Chicago', austin: 'America/Chicago',
  denver: 'America/Denver', phoenix: 'America/Phoenix', 'los angeles': 'America/Los_Angeles',
  'san francisco': 'America/Los_Angeles', seattle: 'America/Los_Angeles', vancouver: 'America/Vancouver',
  'mexico city': 'America/Mexico_City', 'sao paulo': 'America/Sao_Paulo', 'são paulo': 'America/Sao_Paulo',
  'buenos aires': 'America/Argentina/Buenos_Aires', santiago: 'America/Santiago', bogota: 'America/Bogota',
  lima: 'America/Lima', honolulu: 'Pacific/Honolulu', anchorage: 'America/Anchorage',
};

/** Longest multi-word key at i in `table` (up to 3 words): [zone, end]. */
function lookup(ctx: Ctx, i: number, table: Record<string, string>): [string, number] | null {
  for (let n = 3; n >= 1; n--) {
    const words: string[] = [];
    for (let k = 0; k < n; k++) words.push(w(ctx, i + k));
    const zone = table[words.join(' ')];
    if (zone !== undefined) return [zone, i + n];
  }
  return null;
}

/** "UTC+2" / "GMT-5" → Etc/GMT∓N (whole hours only). */
function fixedOffset(ctx: Ctx, i: number): [string, number] | null {
  let j = i + 1;
  let sign = 1;
  let t = tok(ctx, j);
  if (t?.v === '+' || t?.v === '-') {
    sign = t.v === '-' ? -1 : 1;
    j++;
    t = tok(ctx, j);
  } else if (t?.kind === 'num' && /^[-+\u2212]/.test(t.v)) {
    sign = t.v.startsWith('+') ? 1 : -1;
  } else return null;
  if (t?.kind !== 'num' || t.n === undefined || !Number.isInteger(Math.abs(t.n))) return null;
  const hours = Math.abs(t.n) * sign;
  if (Math.abs(hours) > 14) return null;
  // Etc/GMT signs are inverted: UTC+2 is Etc/GMT-2.
  return [hours === 0 ? 'UTC' : `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`, j + 1];
}

/**
 * A zone mention at i: "Europe/Berlin", "UTC", "PST", "Tokyo time", "Pacific time", "in London"
 * (only right after a time), "UTC+2". `afterTime` says whether a time fragment ends at i.
 */
export function parseZone(ctx: Ctx, i: number, afterTime: boolean): Frag | null {
  const t = tok(ctx, i);
  if (t === undefined) return null;
  if (t.kind === 'zone') {
    const name = ctx.text.slice(t.start, t.end);
    const valid = isValidTimeZone(name);
    // "a/b" is not a zone; "America/Atlantis" is a zone we do not know (→ invalid_timezone).
    if (!valid && !ZONE_AREAS.test(name) && !afterTime) return null;
    const zone = valid ? canonicalTimeZone(name) : name;
    return { k: 'zone', zone, from: i, to: skip1(ctx, i + 1, 'time') };
  }
  if (t.kind !== 'word') return null;
  if (t.v === 'utc' || t.v === 'gmt') {
    const fixed = fixedOffset(ctx, i);
    if (fixed !== null) return { k: 'zone', zone: fixed[0], from: i, to: skip1(ctx, fixed[1], 'time') };
  }
  const abbr = ABBREVIATIONS[t.v];
  if (abbr !== undefined && (afterTime || !SHORT_ABBREVIATIONS.has(t.v))) {
    const note =
      AMBIGUOUS_NOTES[t.v] ?? (abbr === 'UTC' ? undefined : `"${t.v.toUpperCase()}" read as ${abbr} local time.`);
    return { k: 'zone', zone: abbr, from: i, to: skip1(ctx, i + 1, 'time'), ...(note === undefined ? {} : { notes: [note] }) };
  }
  const region = lookup(ctx, i, REGIONS);
  if (region !== null) {
    const end = seq(ctx, region[1], ['time']);
    const std = seq(ctx, region[1], ['standard|daylight', 'time']);
    if (end > 0 || std > 0 || (afterTime && region[0] !== 'UTC'))
      return { k: 'zone', zone: region[0], from: i, to: Math.max(end, std, region[1]) };
  }
  const city = lookup(ctx, i, CITIES);
  if (city !== null && seq(ctx, city[1], ['time']) > 0) return { k: 'zone', zone: city[0], from: i, to: city[1] + 1 };
  if (afterTime && t.v === 'in') {
    const c = lookup(ctx, i + 1, CITIES);
    if (c !== null) return { k: 'zone', zone: c[0], from: i, to: skip1(ctx, c[1], 'time') };
  }
  return null;
}

function skip1(ctx: Ctx, i: number, word: string): number {
  return w(ctx, i) === word ? i + 1 : i;
}

/** Whether a single word names a zone or a city we know ("tokyo", "pst"): left over, it is scheduling talk. */
export function isZoneWord(word: string): boolean {
  return (ABBREVIATIONS[word] !== undefined && !SHORT_ABBREVIATIONS.has(word)) || CITIES[word] !== undefined;
}

/**
 * Resolves a zone given as an option (`--tz`): an IANA name (any case), an abbreviation or a city.
 * Returns null when unknown.
 */
export function resolveZoneName(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === '') return null;
  const key = trimmed.toLowerCase();
  const mapped = ABBREVIATIONS[key] ?? CITIES[key];
  if (mapped !== undefined) return mapped;
  return isValidTimeZone(trimmed) ? canonicalTimeZone(trimmed) : null;
}
