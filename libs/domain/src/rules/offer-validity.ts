import { assertNever } from '../errors';
import { dayNumber, localDate, weekStartOf } from '../profile-facts';
import { CapPeriod, Rule } from './rule-model';

const DAY_MS = 86_400_000;

/**
 * When an offer issued at `issuedAt` may be redeemed: from its issue (or the rule's start, if
 * later) for `offerValidDays` days of 24 hours, never past the rule's `until`.
 */
export function offerValidity(
  rule: Pick<Rule, 'validity' | 'offerValidDays'>,
  issuedAt: Date,
): { validFrom: string; validUntil: string } {
  const from = Math.max(issuedAt.getTime(), Date.parse(rule.validity.from));
  const until = Math.min(
    issuedAt.getTime() + rule.offerValidDays * DAY_MS,
    Date.parse(rule.validity.until),
  );
  return { validFrom: new Date(from).toISOString(), validUntil: new Date(until).toISOString() };
}

/** The ISO 8601 week of a `YYYY-MM-DD` date, e.g. `2026-W49`: the year is its Thursday's. */
export function isoWeek(date: string): string {
  const thursday = dayNumber(weekStartOf(date)) + 3;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  const week = Math.floor((thursday - dayNumber(`${year}-01-01`)) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The period a redemption at `at` counts in for a per-household cap, by the calendar of
 * `timeZone`: `2026-12-02`, `2026-W49`, `2026-12`, `2026`, or `campaign` for the rule's life.
 */
export function periodKey(period: CapPeriod, at: Date, timeZone: string): string {
  return periodKeyOfDate(period, localDate(at, timeZone));
}

/** `periodKey` of a local calendar date (YYYY-MM-DD). */
export function periodKeyOfDate(period: CapPeriod, date: string): string {
  switch (period) {
    case 'campaign':
      return 'campaign';
    case 'day':
      return date;
    case 'week':
      return isoWeek(date);
    case 'month':
      return date.slice(0, 7);
    case 'year':
      return date.slice(0, 4);
    default:
      return assertNever(period);
  }
}
