// The occurrences of a schedule rule's cron expression: the 5-field subset `rules.parseRule`
// accepts (each field `*`, `n`, `a-b`, optionally `/step`, comma lists; day of week 0-7, both 0
// and 7 Sunday), matched against the local time in the rule's IANA zone minute by minute. As in
// Vixie cron, when both the day of the month and the day of the week are restricted (neither
// starts with `*`), a day matching either one matches. A local time a DST change skips never
// occurs; one it repeats occurs twice under the same local key, which the caller runs once.

const MINUTE_MS = 60_000;
const BOUNDS: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];
const PART = /^(\*|(\d{1,2})(?:-(\d{1,2}))?)(?:\/(\d{1,2}))?$/;

interface CronMatcher {
  fields: Set<number>[];
  domRestricted: boolean;
  dowRestricted: boolean;
}

function fieldValues(field: string, [min, max]: [number, number]): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const match = PART.exec(part);
    if (!match) throw new Error(`Not a cron field: ${field}`);
    const [, , from, to, step] = match;
    const low = from === undefined ? min : Number(from);
    const high = to !== undefined ? Number(to) : from === undefined || step ? max : low;
    for (let v = low; v <= high; v += step === undefined ? 1 : Number(step)) values.add(v);
  }
  return values;
}

export function parseCron(cron: string): CronMatcher {
  const parts = cron.split(' ');
  if (parts.length !== 5) throw new Error(`Not a 5-field cron expression: ${cron}`);
  const fields = parts.map((part, i) => fieldValues(part, BOUNDS[i]));
  // Sunday is 0 or 7.
  if (fields[4].has(7)) fields[4].add(0);
  return {
    fields,
    domRestricted: !parts[2].startsWith('*'),
    dowRestricted: !parts[4].startsWith('*'),
  };
}

interface LocalMinute {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function localMinute(instant: Date, timeZone: string): LocalMinute {
  let format = formats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(instant)) parts[p.type] = Number(p.value);
  const { year, month, day, hour, minute } = parts;
  return {
    year,
    month,
    day,
    hour,
    minute,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
  };
}

function matches(cron: CronMatcher, t: LocalMinute): boolean {
  const [minutes, hours, days, months, weekdays] = cron.fields;
  if (!minutes.has(t.minute) || !hours.has(t.hour) || !months.has(t.month)) return false;
  const dom = days.has(t.day);
  const dow = weekdays.has(t.weekday);
  if (cron.domRestricted && cron.dowRestricted) return dom || dow;
  return dom && dow;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The local date-time of `instant` in `timeZone`, e.g. `2026-12-02T09:00`: an occurrence's key. */
export function occurrenceKey(instant: Date, timeZone: string): string {
  const t = localMinute(instant, timeZone);
  return `${t.year}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}`;
}

/**
 * The latest minute in `(after, now]` at which `cron` occurs in `timeZone`, or null: looked for
 * minute by minute backwards from `now`, so a frequent expression costs a few steps; the caller
 * bounds the window.
 */
export function latestOccurrence(
  cron: string,
  timeZone: string,
  after: Date,
  now: Date,
): Date | null {
  const matcher = parseCron(cron);
  const start = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  for (let at = start; at > after.getTime(); at -= MINUTE_MS) {
    const instant = new Date(at);
    if (matches(matcher, localMinute(instant, timeZone))) return instant;
  }
  return null;
}
