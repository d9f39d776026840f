// Parse-speed benchmark for the natural-language schedule grammar (src/schedule).
// Plain ESM over the build output: run `npx tsc -p tsconfig.build.json` first.
// `node bench/parse.mjs` prints the result; `run()` returns it for a bench runner.
import { parseSchedule } from '../dist/schedule/index.js';

/** The 77 phrases of shared/research/nl-schedules.md §4. */
export const PHRASES = [
  "in 20 minutes",
  "in an hour and a half",
  "half an hour from now",
  "in 3 hours",
  "in 2 weeks",
  "in 3 days at 10am",
  "on March 3 at 4pm",
  "March 20 at 9am",
  "next Monday at 9am",
  "Friday at 5pm",
  "tomorrow at noon",
  "the day after tomorrow at 8am",
  "on the 15th at 9am",
  "2025-04-01 14:30",
  "Sunday at 2:30am",
  "tonight",
  "this evening at 7",
  "tomorrow morning",
  "this weekend",
  "at the end of the month",
  "at midnight",
  "EOD",
  "every day at 7:45",
  "daily at 6pm",
  "every morning",
  "twice a day at 9 and 5",
  "every weekday at 9:30am check my inbox",
  "every weekend at 10am",
  "remind me every Monday at 8",
  "each Friday at 4:30pm",
  "every Sunday night",
  "every Monday, Wednesday and Friday at 7am",
  "Tuesdays and Thursdays at 6:15pm",
  "every Monday at 9am and every Thursday at 2pm",
  "every 15 minutes",
  "every 2 hours",
  "every 90 minutes",
  "every 45 minutes",
  "every 5 hours",
  "hourly",
  "every 30 minutes from 9 to 5 on weekdays",
  "every 2 hours between 9 and 5",
  "every hour from 8am to 6pm on weekdays",
  "every 90 minutes between 9am and 6pm",
  "on the 1st of every month at 9am",
  "on the last day of every month at 6pm",
  "on the 31st of every month",
  "on the first weekday of each month",
  "on the last Friday of each month at 5pm",
  "first Monday of every month at 9",
  "the 2nd and 4th Wednesday at noon",
  "every second Tuesday",
  "every year on March 3 at 9am",
  "every Feb 29",
  "every other Tuesday",
  "every 2 weeks on Monday and Thursday",
  "every 3 days",
  "every day at 8am for the next 3 weeks",
  "every Monday until Dec 31",
  "every 10 minutes, 5 times",
  "every hour starting at 3pm today",
  "at 9am Tokyo time",
  "every weekday at 9am London time",
  "Friday at 3pm PST",
  "noon UTC daily",
  "at 8",
  "next Friday",
  "on 04/05",
  "Monday week",
  "later",
  "every 31st of February",
  "yesterday at 5",
  "every -3 hours",
  "every 0 minutes",
  "at 25:00",
  "on February 30th",
  "every day until last week",
];

const NOW = new Date('2025-03-05T15:15:00Z');
const TIME_ZONE = 'America/New_York';

function percentile(sorted, p) {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/**
 * Times one parseSchedule call per sample, over every phrase × `rounds`, after a warm-up.
 * @returns {Promise<{ parse_p50_us: number, parse_p99_us: number, phrases: number, samples: number, mean_us: number }>}
 */
export async function run({ rounds = 60, warmup = 10 } = {}) {
  for (let r = 0; r < warmup; r++) for (const text of PHRASES) parseSchedule(text, { now: NOW, timeZone: TIME_ZONE });
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    for (const text of PHRASES) {
      const t0 = process.hrtime.bigint();
      parseSchedule(text, { now: NOW, timeZone: TIME_ZONE });
      samples.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  }
  samples.sort((a, b) => a - b);
  const round = (x) => Math.round(x * 10) / 10;
  return {
    parse_p50_us: round(percentile(samples, 50)),
    parse_p99_us: round(percentile(samples, 99)),
    phrases: PHRASES.length,
    samples: samples.length,
    mean_us: round(samples.reduce((a, b) => a + b, 0) / samples.length),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await run()));
}
