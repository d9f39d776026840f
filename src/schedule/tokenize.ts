/**
 * Splits text into tokens that remember where they came from, so the words the grammar does not
 * consume can be given back verbatim (as the task) or pointed at (in a clarifying question).
 */

export type TokenKind =
  | 'word' // letters, possibly with an apostrophe: "o'clock", "friday's"
  | 'num' // integer or decimal, possibly signed: "3", "-3", "1.5"
  | 'ord' // "1st", "15th"
  | 'clock' // "9:30", "14:30:00", "07:45"
  | 'isodate' // "2025-04-01"
  | 'slashdate' // "04/05", "4/5/2025", "2025/04/01"
  | 'zone' // "Europe/Berlin"
  | 'punct';

export interface Token {
  kind: TokenKind;
  /** Lower-case text. */
  v: string;
  /** Character offsets in the original text. */
  start: number;
  end: number;
  /** Numeric value for num/ord. */
  n?: number;
  /** Clock parts for 'clock', date parts for dates. */
  parts?: number[];
  /** For 'clock': written with a leading zero or more than 12 hours ("07:45", "14:00"): 24-hour. */
  h24?: boolean;
}

const TOKEN_RE = new RegExp(
  [
    String.raw`(?<iso>\d{4}-\d{1,2}-\d{1,2})(?=$|[^\d])`,
    String.raw`(?<ymd>\d{4}[/.]\d{1,2}[/.]\d{1,2})`,
    String.raw`(?<dot>\d{1,2}\.\d{1,2}\.\d{2,4})(?![\d.])`,
    String.raw`(?<slash>\d{1,2}/\d{1,2}(?:/\d{2,4})?)`,
    String.raw`(?<clock>\d{1,2}:\d{2}(?::\d{2})?)`,
    String.raw`(?<ord>\d{1,2})(?:st|nd|rd|th)\b`,
    String.raw`(?<num>(?:(?<![\w.])[-\u2212+])?\d+(?:\.\d+)?)`,
    String.raw`(?<ampm>[ap]\.m\.?)`,
    String.raw`(?<zone>[a-z]+(?:_[a-z]+)*/[a-z_\-]+(?:/[a-z_\-]+)?)`,
    String.raw`(?<word>[a-z\u00c0-\u024f]+(?:['\u2019][a-z]+)?)`,
    String.raw`(?<punct>[,;.!?:&()\-\u2013\u2014])`,
    String.raw`(?<other>\S)`,
  ].join('|'),
  'giu',
);

export function tokenize(text: string): Token[] {
  const lower = text.toLowerCase();
  const out: Token[] = [];
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(lower); m !== null; m = TOKEN_RE.exec(lower)) {
    const g = m.groups ?? {};
    const start = m.index;
    const end = start + m[0].length;
    const v = m[0];
    if (g.iso !== undefined) {
      out.push({ kind: 'isodate', v, start, end, parts: v.split('-').map(Number) });
      // "2025-04-01t14:30" → the "t" is a separator; the time is tokenised on the next round.
      if (lower[end] === 't' && /^\d/.test(lower.slice(end + 1))) TOKEN_RE.lastIndex = end + 1;
    } else if (g.ymd !== undefined) {
      out.push({ kind: 'isodate', v, start, end, parts: v.split(/[/.]/).map(Number) });
    } else if (g.dot !== undefined) {
      // 12.03.2025 is day.month.year wherever dots are used.
      const [d = 0, m = 0, y = 0] = v.split('.').map(Number);
      out.push({ kind: 'isodate', v, start, end, parts: [y < 100 ? 2000 + y : y, m, d] });
    } else if (g.slash !== undefined) {
      out.push({ kind: 'slashdate', v, start, end, parts: v.split('/').map(Number) });
    } else if (g.clock !== undefined) {
      const parts = v.split(':').map(Number);
      const h = parts[0] ?? 0;
      out.push({ kind: 'clock', v, start, end, parts, h24: v.startsWith('0') || h > 12 || h === 0 });
    } else if (g.ord !== undefined) {
      out.push({ kind: 'ord', v, start, end, n: Number(g.ord) });
    } else if (g.num !== undefined) {
      const n = Number(v.replace('\u2212', '-'));
      out.push({ kind: 'num', v, start, end, n });
    } else if (g.ampm !== undefined) {
      out.push({ kind: 'word', v: v.startsWith('a') ? 'am' : 'pm', start, end });
    } else if (g.zone !== undefined) {
      out.push({ kind: 'zone', v, start, end });
    } else if (g.word !== undefined) {
      out.push({ kind: 'word', v: v.replace('\u2019', "'"), start, end });
    } else if (g.punct !== undefined) {
      out.push({ kind: 'punct', v: v === '&' ? 'and' : v === '\u2013' || v === '\u2014' ? '-' : v, start, end });
    } else {
      out.push({ kind: 'punct', v, start, end });
    }
  }
  return splitGlued(out);
}

const GLUED = /^(\d+(?:\.\d+)?)(am|pm|a|p|h|hr|hrs|m|min|mins|s|sec|secs|d|w|wk|wks)$/;

/** "9am" / "2h" / "30min" arrive as one word-ish run: split into a number and its suffix. */
function splitGlued(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const next = tokens[i + 1];
    if ((t.kind === 'num' || t.kind === 'clock') && next !== undefined && next.kind === 'word' && next.start === t.end) {
      const m = GLUED.exec(t.v + next.v);
      if (m !== null || /^(am|pm)$/.test(next.v)) {
        out.push(t);
        const suffix = next.v === 'a' ? 'am' : next.v === 'p' ? 'pm' : next.v;
        out.push({ ...next, v: suffix });
        i++;
        continue;
      }
    }
    out.push(t);
  }
  return out;
}
