// When a job is due, and the key of the run that is due: one run per job and period.

export type JobSchedule =
  /** Once a day from `at` (HH:MM) local time in `timeZone` (IANA); the period is the local date. */
  | { daily: string; timeZone: string }
  /** Every `minutes`, counted from midnight UTC; the period is the UTC start of the interval. */
  | { everyMinutes: number };

function localParts(instant: Date, timeZone: string): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    date: `${part('year')}-${part('month')}-${part('day')}`,
    time: `${part('hour')}:${part('minute')}`,
  };
}

function previousDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/**
 * The period of the latest run due at `now`. Keys of later periods sort after earlier ones as
 * text, which the runner relies on. A local time skipped by a DST change (e.g. 01:30 in London
 * on the last Sunday of March) is due from the first minute after it.
 */
export function duePeriod(schedule: JobSchedule, now: Date): string {
  if ('daily' in schedule) {
    const { date, time } = localParts(now, schedule.timeZone);
    return time >= schedule.daily ? date : previousDate(date);
  }
  const intervalMs = schedule.everyMinutes * 60_000;
  return new Date(Math.floor(now.getTime() / intervalMs) * intervalMs).toISOString();
}
