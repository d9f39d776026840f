/** Words the grammar knows: weekdays, months, numbers, ordinals, units. All keys lower case. */

export const WEEKDAYS: Record<string, number> = {
  sunday: 0, sun: 0,
  monday: 1, mon: 1,
  tuesday: 2, tue: 2, tues: 2,
  wednesday: 3, wed: 3,
  thursday: 4, thu: 4, thur: 4, thurs: 4,
  friday: 5, fri: 5,
  saturday: 6, sat: 6,
};

/** Plural weekdays ("Mondays") mean "every Monday". */
export const WEEKDAYS_PLURAL: Record<string, number> = {
  sundays: 0, mondays: 1, tuesdays: 2, wednesdays: 3, thursdays: 4, fridays: 5, saturdays: 6,
};

export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export const WEEKDAY_SHORT = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
export const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
] as const;
export const MONTH_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

export const MONTHS: Record<string, number> = {
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5,
  june: 6, jun: 6, july: 7, jul: 7, august: 8, aug: 8, september: 9, sep: 9, sept: 9,
  october: 10, oct: 10, november: 11, nov: 11, december: 12, dec: 12,
};

export const NUMBER_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
  eighteen: 18, nineteen: 19, twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, ninety: 90,
};

export const ORDINAL_WORDS: Record<string, number> = {
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9,
  tenth: 10, eleventh: 11, twelfth: 12, thirteenth: 13, fourteenth: 14, fifteenth: 15,
  sixteenth: 16, seventeenth: 17, eighteenth: 18, nineteenth: 19, twentieth: 20, thirtieth: 30,
};

export type Unit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';

export const UNITS: Record<string, Unit> = {
  s: 'second', sec: 'second', secs: 'second', second: 'second', seconds: 'second',
  m: 'minute', min: 'minute', mins: 'minute', minute: 'minute', minutes: 'minute',
  h: 'hour', hr: 'hour', hrs: 'hour', hour: 'hour', hours: 'hour',
  d: 'day', day: 'day', days: 'day',
  w: 'week', wk: 'week', wks: 'week', week: 'week', weeks: 'week',
  month: 'month', months: 'month', mo: 'month', mos: 'month',
  year: 'year', years: 'year', yr: 'year', yrs: 'year',
};

export const UNIT_SECONDS: Record<Unit, number> = {
  second: 1, minute: 60, hour: 3600, day: 86_400, week: 604_800, month: 2_629_800, year: 31_557_600,
};

export type TimeOfDay = 'morning' | 'afternoon' | 'evening' | 'night' | 'end_of_day';

/** Default local times for words (ARCHITECTURE.md policy table). */
export const TIME_OF_DAY_DEFAULT: Record<TimeOfDay, { hour: number; minute: number }> = {
  morning: { hour: 9, minute: 0 },
  afternoon: { hour: 14, minute: 0 },
  evening: { hour: 20, minute: 0 },
  night: { hour: 20, minute: 0 },
  end_of_day: { hour: 17, minute: 0 },
};

/** Words that mark a leftover as scheduling talk the grammar did not understand. */
export const TIME_WORDS = new Set([
  ...Object.keys(WEEKDAYS).filter((w) => w.length > 3),
  ...Object.keys(WEEKDAYS_PLURAL),
  ...Object.keys(MONTHS).filter((w) => w.length > 3 && w !== 'march'),
  'am', 'pm', "o'clock", 'oclock', 'noon', 'midnight', 'midday', 'morning', 'afternoon', 'evening',
  'night', 'tonight', 'today', 'tomorrow', 'yesterday', 'daily', 'weekly', 'monthly', 'yearly',
  'hourly', 'nightly', 'annually', 'biweekly', 'fortnightly', 'every', 'each', 'until', 'till',
  'starting', 'between', 'before', 'after', 'times', 'twice', 'weekend', 'weekends', 'weekday',
  'weekdays', 'fortnight', 'minute', 'minutes', 'hour', 'hours', 'day', 'days', 'week', 'weeks',
  'month', 'months', 'year', 'years', 'next', 'last', 'other', 'alternate', 'later', 'soon', 'eod',
  'utc', 'gmt', 'from', 'morrow', 'eve', 'easter', 'thanksgiving', 'christmas', 'xmas', 'holiday', 'when', 'whenever', 'if', 'while', 'during', 'o\'clock',
]);

/** Number words, months and the like: scheduling talk when left over outside a "to ..." task. */
export const NUMBERISH_WORDS = new Set([
  ...Object.keys(NUMBER_WORDS).filter((w) => w !== 'one'),
  ...Object.keys(MONTHS).filter((w) => w.length > 3 || w === 'jan' || w === 'feb' || w === 'dec' || w === 'nov' || w === 'oct' || w === 'sep'),
  'past', 'half', 'quarter', 'couple', 'few',
]);

/** Words that cannot be part of a "to ..." task without being scheduling the grammar missed. */
export const STRONG_TIME_WORDS = new Set([
  'am', 'pm', "o'clock", 'oclock', 'noon', 'midnight', 'tonight', 'tomorrow', 'today', 'yesterday',
  'every', 'each', 'daily', 'hourly', 'nightly', 'weekly', 'monthly', 'yearly', 'annually', 'until',
  'till', 'fortnight', 'fortnightly', 'biweekly',
]);

/** Words that change the meaning of a schedule; never silently part of a task. */
export const DANGER_WORDS = new Set([
  'except', 'excluding', 'exclude', 'unless', 'but', 'not', "don't", 'dont', 'never', 'skip',
  'skipping', 'without', 'besides', 'instead', 'only', 'holiday', 'holidays',
]);

/** Connective words that carry no meaning of their own between schedule parts. */
export const CONNECTIVES = new Set([
  'and', 'then', 'also', 'at', 'on', 'the', 'please', 'me', 'us', 'to', 'a', 'an', ',', '.', ';',
  '!', '?', ':', '-', 'in', 'of', 'for', 'by', 'with', 'once', '"', "'", '(', ')', 'so', 'that',
]);
