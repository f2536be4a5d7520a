import { Cents, roundCents } from './money';

// The facts of a household's profile that depend on the day rather than on a purchase. Dates are
// calendar dates as `YYYY-MM-DD`; day arithmetic is on whole days, so a DST change never makes a
// day 23 or 25 hours long here. `pos-ingest`'s profile-facts SQL computes the same formulas for the
// whole population; its integration test holds the two together.

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a `YYYY-MM-DD` date. */
export function dayNumber(date: string): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

export function dateOfDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return dateOfDayNumber(dayNumber(date) + days);
}

export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

// A formatter is costly to build (tens of microseconds): one per time zone, built once.
const DATE_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of `instant` in `timeZone` (an IANA name such as Europe/London). */
export function localDate(instant: Date, timeZone: string): string {
  let format = DATE_FORMATS.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    DATE_FORMATS.set(timeZone, format);
  }
  const parts = format.formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The Monday of the week of `date` (ISO weeks). */
export function weekStartOf(date: string): string {
  const day = dayNumber(date);
  // 1970-01-01 was a Thursday: day 0 is 3 days after a Monday.
  return dateOfDayNumber(day - ((day + 3) % 7));
}

export interface WeekSums {
  /** The Monday of the week. */
  weekStart: string;
  spendCents: Cents;
  visits: number;
}

export interface RollingWindows {
  spend4wCents: Cents;
  visits4w: number;
  spend13wCents: Cents;
  visits13w: number;
  spend52wCents: Cents;
  visits52w: number;
}

/**
 * Spend and visits of the last 4, 13 and 52 weeks as of `asOf`. The week holding `asOf` counts as
 * week 1 (so on a Monday the 4-week window is that Monday plus the three weeks before); weeks
 * after `asOf`'s week are not counted.
 */
export function rollingWindows(weeks: readonly WeekSums[], asOf: string): RollingWindows {
  const current = dayNumber(weekStartOf(asOf));
  const sum = (count: number) => {
    const first = current - 7 * (count - 1);
    const inside = weeks.filter((w) => {
      const start = dayNumber(w.weekStart);
      return start >= first && start <= current;
    });
    return {
      spend: inside.reduce((total, w) => total + w.spendCents, 0),
      visits: inside.reduce((total, w) => total + w.visits, 0),
    };
  };
  const [w4, w13, w52] = [sum(4), sum(13), sum(52)];
  return {
    spend4wCents: w4.spend,
    visits4w: w4.visits,
    spend13wCents: w13.spend,
    visits13w: w13.visits,
    spend52wCents: w52.spend,
    visits52w: w52.visits,
  };
}

/** Spend per visit in whole cents by the one rounding rule; null without a visit. */
export function averageBasketCents(spendCents: Cents, visits: number): Cents | null {
  return visits > 0 ? roundCents(spendCents / visits) : null;
}

/**
 * Whole calendar days in the programme's time zone from the last visit to `asOf` (0 on the day
 * of the visit); null without a visit.
 */
export function daysSinceLastVisit(
  lastVisitAt: Date | null,
  asOf: Date,
  timeZone: string,
): number | null {
  if (lastVisitAt === null) return null;
  return daysBetween(localDate(lastVisitAt, timeZone), localDate(asOf, timeZone));
}

/** The one rounding rule for days: half away from zero, to one decimal. */
function roundTenths(value: number): number {
  return Math.sign(value) * (Math.round(Math.abs(value) * 10) / 10);
}

/**
 * The purchase cadence: the median of the days between consecutive distinct visit days (the mean
 * of the middle two for an even count, then to one decimal); null below two visit days.
 */
export function purchaseCadenceDays(visitDays: readonly string[]): number | null {
  const days = [...new Set(visitDays)].map(dayNumber).sort((a, b) => a - b);
  if (days.length < 2) return null;
  const gaps = days
    .slice(1)
    .map((day, i) => day - days[i])
    .sort((a, b) => a - b);
  const middle = Math.floor(gaps.length / 2);
  const median = gaps.length % 2 === 1 ? gaps[middle] : (gaps[middle - 1] + gaps[middle]) / 2;
  return roundTenths(median);
}

/** A date plus a number of days given to one decimal, rounded half away from zero to whole days. */
export function dueAfter(date: string, days: number): string {
  return addDays(date, Math.round(days));
}

/** The next visit expected: the last visit day plus the cadence; null without a cadence. */
export function nextVisitDueOn(
  lastVisitDay: string | null,
  cadenceDays: number | null,
): string | null {
  return lastVisitDay === null || cadenceDays === null ? null : dueAfter(lastVisitDay, cadenceDays);
}

export interface ProductPurchases {
  purchases: number;
  firstBoughtOn: string | null;
  lastBoughtOn: string | null;
}

/** Days between repeat purchases of a product, to one decimal: (last − first) / (purchases − 1). */
export function repeatIntervalDays(product: ProductPurchases): number | null {
  const { purchases, firstBoughtOn, lastBoughtOn } = product;
  if (purchases < 2 || firstBoughtOn === null || lastBoughtOn === null) return null;
  return roundTenths(daysBetween(firstBoughtOn, lastBoughtOn) / (purchases - 1));
}

/** When the product is due again: its last purchase plus its repeat interval. */
export function productDueOn(product: ProductPurchases): string | null {
  const interval = repeatIntervalDays(product);
  return interval === null || product.lastBoughtOn === null
    ? null
    : dueAfter(product.lastBoughtOn, interval);
}

/**
 * Quintile scores 1–5 over a population, higher values scoring higher, ties scoring the same:
 * score = 1 + floor(5 × (rank − 1) / n) with rank as SQL's rank() over ascending values.
 */
export function quintileScores(values: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const n = values.length;
  const rankOf = (value: number) => {
    // rank() = 1 + how many are strictly smaller.
    let low = 0;
    let high = n;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (sorted[mid] < value) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  };
  return values.map((value) => 1 + Math.floor((5 * (rankOf(value) - 1)) / n));
}

/**
 * The smallest value reaching each score 2..5 in the population (null where no value reaches it),
 * so that a household outside the pass is scored as the pass would have scored it.
 */
export function quintileThresholds(values: readonly number[]): (number | null)[] {
  const scores = quintileScores(values);
  return [2, 3, 4, 5].map((score) => {
    const reaching = values.filter((_, i) => scores[i] >= score);
    return reaching.length === 0 ? null : Math.min(...reaching);
  });
}

export function scoreByThresholds(value: number, thresholds: readonly (number | null)[]): number {
  return 1 + thresholds.filter((t) => t !== null && value >= t).length;
}

export const LIFECYCLE_SEGMENTS = ['new', 'active', 'lapsing', 'lapsed', 'won_back'] as const;
export type LifecycleSegment = (typeof LIFECYCLE_SEGMENTS)[number];

export interface LifecycleRules {
  /** A household is new for this many days from its first visit. */
  newDays: number;
  /** Lapsing after max(lapsingCadences × cadence, lapsingMinDays) days without a visit. */
  lapsingCadences: number;
  lapsingMinDays: number;
  /** Lapsed after this many days without a visit. */
  lapsedDays: number;
  /** Won back for this many days from the first visit after a gap of `lapsedDays` or more. */
  wonBackDays: number;
}

export const DEFAULT_LIFECYCLE_RULES: LifecycleRules = {
  newDays: 28,
  lapsingCadences: 2,
  lapsingMinDays: 21,
  lapsedDays: 60,
  wonBackDays: 28,
};

export interface LifecycleInput {
  asOf: string;
  firstVisitDay: string | null;
  /** The latest distinct visit days (any order). */
  recentVisitDays: readonly string[];
  daysSinceLastVisit: number | null;
  cadenceDays: number | null;
}

/**
 * The segment, first match wins: no visit → null; lapsed; lapsing; won back (the latest visit day
 * after a gap of `lapsedDays` or more lies within `wonBackDays`); new (first visit within
 * `newDays`); otherwise active. Won back is read from the visit days, not from yesterday's
 * segment, so the answer is the same whenever and however often it is computed.
 */
export function lifecycleSegment(
  input: LifecycleInput,
  rules: LifecycleRules,
): LifecycleSegment | null {
  const { asOf, firstVisitDay, recentVisitDays, daysSinceLastVisit: since, cadenceDays } = input;
  if (since === null || firstVisitDay === null) return null;
  if (since >= rules.lapsedDays) return 'lapsed';
  const lapsingAfter = Math.max(rules.lapsingCadences * (cadenceDays ?? 0), rules.lapsingMinDays);
  if (since >= lapsingAfter) return 'lapsing';
  const days = [...new Set(recentVisitDays)].map(dayNumber).sort((a, b) => a - b);
  const today = dayNumber(asOf);
  for (let i = days.length - 1; i >= 1; i--) {
    if (today - days[i] >= rules.wonBackDays) break;
    if (days[i] - days[i - 1] >= rules.lapsedDays) return 'won_back';
  }
  if (today - dayNumber(firstVisitDay) < rules.newDays) return 'new';
  return 'active';
}

export interface LifecycleTransition {
  from: LifecycleSegment | null;
  to: LifecycleSegment;
  on: string;
}

/** A transition when the segment changed (the first segment is one, from null). */
export function lifecycleTransition(
  previous: LifecycleSegment | null,
  next: LifecycleSegment | null,
  asOf: string,
): LifecycleTransition | null {
  return next === null || next === previous ? null : { from: previous, to: next, on: asOf };
}

export const TIERS = ['bronze', 'silver', 'gold'] as const;
export type Tier = (typeof TIERS)[number];

export interface TierRules {
  silverFromCents: Cents;
  goldFromCents: Cents;
  /** The yearly requalification day, `MM-DD` (29 February falls on 28 February in other years). */
  requalificationDate: string;
}

export function earnedTier(spend52wCents: Cents, rules: TierRules): Tier {
  if (spend52wCents >= rules.goldFromCents) return 'gold';
  if (spend52wCents >= rules.silverFromCents) return 'silver';
  return 'bronze';
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** `MM-DD` in `year`; 29 February is 28 February in a year without one. */
export function dateInYear(monthDay: string, year: number): string {
  const day = monthDay === '02-29' && !isLeapYear(year) ? '02-28' : monthDay;
  return `${String(year).padStart(4, '0')}-${day}`;
}

/** The latest requalification day on or before `asOf`. */
export function lastRequalificationOn(asOf: string, monthDay: string): string {
  const year = Number(asOf.slice(0, 4));
  const thisYear = dateInYear(monthDay, year);
  return thisYear <= asOf ? thisYear : dateInYear(monthDay, year - 1);
}

export interface TierState {
  tier: Tier;
  tierSince: string | null;
  /** The requalification day the tier was last judged on; null before the first judgement. */
  requalifiedOn: string | null;
}

/**
 * An upgrade applies at once; a downgrade only when a requalification day passed since the tier
 * was last judged (and then straight to the tier earned). The first judgement gives the tier earned.
 */
export function nextTier(
  current: TierState,
  spend52wCents: Cents,
  asOf: string,
  rules: TierRules,
): TierState {
  const earned = earnedTier(spend52wCents, rules);
  const requalification = lastRequalificationOn(asOf, rules.requalificationDate);
  const judged = current.requalifiedOn !== null && current.requalifiedOn >= requalification;
  const tier =
    judged && TIERS.indexOf(current.tier) > TIERS.indexOf(earned) ? current.tier : earned;
  return {
    tier,
    tierSince: tier === current.tier && current.tierSince !== null ? current.tierSince : asOf,
    requalifiedOn: requalification,
  };
}

/** Days from `asOf` to the next birthday (`MM-DD`, 0 on the day); null without a birthday. */
export function birthdayInDays(birthday: string | null, asOf: string): number | null {
  if (birthday === null) return null;
  const year = Number(asOf.slice(0, 4));
  const thisYear = dateInYear(birthday, year);
  const next = thisYear >= asOf ? thisYear : dateInYear(birthday, year + 1);
  return daysBetween(asOf, next);
}
