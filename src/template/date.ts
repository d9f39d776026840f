import { type ZonedFields, lookupZone, zonedFields } from '../domain/zoned-time.js';
import { typeName, ValueProblem } from './values.js';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Wall-clock fields of an instant in one zone, to the millisecond. */
interface ZonedParts extends ZonedFields {
  millisecond: number;
}

function zonedParts(epochMs: number, zone: string): ZonedParts {
  if (lookupZone(zone) === null) {
    throw new ValueProblem(`got an unknown time zone "${zone}" (use an IANA name such as "Europe/Berlin")`);
  }
  return { ...zonedFields(zone, epochMs), millisecond: ((epochMs % 1000) + 1000) % 1000 };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

function offset(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}${colon ? ':' : ''}${pad(abs % 60)}`;
}

const TOKEN = /\[([^\]]*)\]|YYYY|YY|MMMM|MMM|MM|M|Do|DD|D|dddd|ddd|HH|H|hh|h|mm|m|ss|s|SSS|A|a|ZZ|Z/g;

function formatToken(token: string, p: ZonedParts): string {
  switch (token) {
    case 'YYYY':
      return pad(p.year, 4);
    case 'YY':
      return pad(p.year % 100);
    case 'MMMM':
      return MONTHS[p.month - 1] ?? '';
    case 'MMM':
      return (MONTHS[p.month - 1] ?? '').slice(0, 3);
    case 'MM':
      return pad(p.month);
    case 'M':
      return String(p.month);
    case 'Do':
      return ordinal(p.day);
    case 'DD':
      return pad(p.day);
    case 'D':
      return String(p.day);
    case 'dddd':
      return WEEKDAYS[p.weekday] ?? '';
    case 'ddd':
      return (WEEKDAYS[p.weekday] ?? '').slice(0, 3);
    case 'HH':
      return pad(p.hour);
    case 'H':
      return String(p.hour);
    case 'hh':
      return pad(p.hour % 12 || 12);
    case 'h':
      return String(p.hour % 12 || 12);
    case 'mm':
      return pad(p.minute);
    case 'm':
      return String(p.minute);
    case 'ss':
      return pad(p.second);
    case 's':
      return String(p.second);
    case 'SSS':
      return pad(p.millisecond, 3);
    case 'A':
      return p.hour < 12 ? 'AM' : 'PM';
    case 'a':
      return p.hour < 12 ? 'am' : 'pm';
    case 'ZZ':
      return offset(p.offsetMinutes, false);
    default:
      return offset(p.offsetMinutes, true);
  }
}

/** An instant from an ISO 8601 string, epoch milliseconds, or a Date. */
export function toEpochMs(input: unknown): number {
  let ms: number;
  if (typeof input === 'string') {
    ms = Date.parse(input);
  } else if (typeof input === 'number') {
    ms = input;
  } else if (input instanceof Date) {
    ms = input.getTime();
  } else {
    throw new ValueProblem(
      `expects an ISO date string, epoch milliseconds or a date, got ${typeName(input)}`,
    );
  }
  // ±8.64e15 ms is the range a JavaScript Date (and Intl) can represent.
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    throw new ValueProblem(`got something that is not a valid date: ${JSON.stringify(input)}`);
  }
  return ms;
}

/**
 * Formats an instant as wall-clock time in an IANA zone. `format` is `"iso"` (ISO 8601 with the
 * zone's offset, `Z` when it is zero) or a pattern of tokens: `YYYY YY MMMM MMM MM M Do DD D dddd ddd
 * HH H hh h mm m ss s SSS A a ZZ Z`; text in `[brackets]` is copied as is. Names are English.
 */
export function formatDate(input: unknown, format: string, zone: string): string {
  const p = zonedParts(toEpochMs(input), zone);
  if (format === 'iso') {
    const frac = p.millisecond === 0 ? '' : `.${pad(p.millisecond, 3)}`;
    const off = p.offsetMinutes === 0 ? 'Z' : offset(p.offsetMinutes, true);
    return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${frac}${off}`;
  }
  return format.replace(TOKEN, (token: string, literal: string | undefined) =>
    literal !== undefined ? literal : formatToken(token, p),
  );
}
