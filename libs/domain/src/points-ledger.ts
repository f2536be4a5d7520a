import { DomainError } from './errors';
import { Cents, roundCents } from './money';

// The points ledger's rules. A household's entries are credits (points > 0: earn, a positive
// adjustment, a reversed redemption, a transfer in) and debits (points < 0: redeem, a return's
// reversal, a negative adjustment, expiry, a transfer out). Points expire a number of months after
// the time of the sale that earned them, and every debit consumes the oldest credits first
// (FIFO), whenever it happened: so what is left of the credits up to an instant is what they
// hold beyond everything debited so far.

export const POINTS_ENTRY_KINDS = [
  'earn',
  'reverse',
  'adjust',
  'expire',
  'redeem',
  'transfer',
] as const;
export type PointsEntryKind = (typeof POINTS_ENTRY_KINDS)[number];

/** What the expiry rules need of an entry: its signed points and when its cause happened. */
export interface PointsMovement {
  points: number;
  occurredAt: Date;
}

/** Credits still holding points: `points` of those earned at `occurredAt`. */
export interface PointsLot {
  occurredAt: Date;
  points: number;
}

/**
 * The last instant whose points have expired at `asOf`: `asOf` minus `months` on the UTC
 * calendar, at the same time of day; where that month is shorter, its last day (31 March minus
 * one month is the end of February). A credit has expired when its `occurredAt` is at or before
 * the cutoff: exactly `months` after the sale, to the millisecond, whatever offset the POS sent.
 */
export function expiryCutoff(asOf: Date, months: number): Date {
  const year = asOf.getUTCFullYear();
  const month = asOf.getUTCMonth() - months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(
      year,
      month,
      Math.min(asOf.getUTCDate(), lastDay),
      asOf.getUTCHours(),
      asOf.getUTCMinutes(),
      asOf.getUTCSeconds(),
      asOf.getUTCMilliseconds(),
    ),
  );
}

/** The calendar day (UTC, YYYY-MM-DD) an expiry pass is booked under, once per household. */
export function expiryDay(cutoff: Date): string {
  return cutoff.toISOString().slice(0, 10);
}

/**
 * The credits left after every debit consumed the oldest first, oldest first (credits of the same
 * instant in the order given). A debt (debits beyond all credits) leaves none.
 */
export function unconsumedCredits(entries: readonly PointsMovement[]): PointsLot[] {
  let debited = -sum(entries.filter((e) => e.points < 0));
  const credits = entries
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => entry.points > 0)
    .sort(
      (a, b) => a.entry.occurredAt.getTime() - b.entry.occurredAt.getTime() || a.index - b.index,
    );
  const lots: PointsLot[] = [];
  for (const { entry } of credits) {
    const consumed = Math.min(debited, entry.points);
    debited -= consumed;
    if (entry.points > consumed)
      lots.push({ occurredAt: entry.occurredAt, points: entry.points - consumed });
  }
  return lots;
}

/**
 * The points of a household that have expired by `cutoff` and are not yet debited: its credits
 * up to the cutoff beyond everything debited so far (earlier expiries included), never below 0.
 */
export function pointsToExpire(entries: readonly PointsMovement[], cutoff: Date): number {
  const oldCredits = sum(entries.filter((e) => e.points > 0 && e.occurredAt <= cutoff));
  const debited = -sum(entries.filter((e) => e.points < 0));
  return Math.max(0, oldCredits - debited);
}

/** The money the points are worth: `centsPer100Points` for every 100, by the one rounding rule. */
export function pointsValueCents(points: number, centsPer100Points: number): Cents {
  return roundCents((points * centsPer100Points) / 100);
}

export class InsufficientPointsError extends DomainError {
  readonly code = 'INSUFFICIENT_POINTS';
}

/** Points offered in payment are worth more than what is left to pay. */
export class PointsExceedTotalError extends DomainError {
  readonly code = 'POINTS_EXCEED_TOTAL';
}

/**
 * What `points` pay of a basket whose total (after its offers) is `totalCents`, at
 * `centsPer100Points`: their value, never more than the total (the shopper would be paid back).
 */
export function pointsPaymentCents(
  points: number,
  totalCents: Cents,
  centsPer100Points: number,
): Cents {
  const value = pointsValueCents(points, centsPer100Points);
  if (value > Math.max(0, totalCents))
    throw new PointsExceedTotalError(
      `${points} points are worth ${value} cents, more than the ${Math.max(0, totalCents)} cents to pay`,
      'pointsToSpend',
    );
  return value;
}

export class GoodwillLimitExceededError extends DomainError {
  readonly code = 'GOODWILL_LIMIT_EXCEEDED';
}

/** The same cause (an adjustment id, a redemption) named again with another content. */
export class PointsCauseReusedError extends DomainError {
  readonly code = 'POINTS_CAUSE_REUSED';
  override readonly kind = 'conflict';
}

/** The shopper signed in has no household (no `loyalty.shoppers` row for their subject). */
export class NotEnrolledError extends DomainError {
  readonly code = 'NOT_ENROLLED';
  override readonly kind = 'notFound';
}

/** No household has this id (neither a household record nor any points). */
export class UnknownHouseholdError extends DomainError {
  readonly code = 'HOUSEHOLD_NOT_FOUND';
  override readonly kind = 'notFound';
}

/** The household was erased or merged into another: its points no longer change by hand. */
export class HouseholdClosedError extends DomainError {
  readonly code = 'HOUSEHOLD_CLOSED';
}

/** A change a support agent asks for: points to give (> 0) or take back (< 0). */
export interface AdjustmentRequest {
  points: number;
  balance: number;
  /** Points this agent has given today (positive adjustments only). */
  givenToday: number;
  /** How many points this agent may give per day. */
  dailyLimit: number;
}

/**
 * Goodwill is what an agent gives: positive adjustments count against the agent's daily limit.
 * Taking points back (a correction) is not limited, but never below a balance of 0.
 */
export function checkAdjustment({
  points,
  balance,
  givenToday,
  dailyLimit,
}: AdjustmentRequest): void {
  if (points > 0) {
    const remaining = Math.max(0, dailyLimit - givenToday);
    if (points > remaining)
      throw new GoodwillLimitExceededError(
        `Goodwill limit exceeded: ${remaining} of ${dailyLimit} points remain for you today`,
        'points',
      );
    return;
  }
  if (balance + points < 0)
    throw new InsufficientPointsError(
      `The balance is ${Math.max(0, balance)} points: at most that can be taken back`,
      'points',
    );
}

function sum(entries: readonly PointsMovement[]): number {
  return entries.reduce((total, e) => total + e.points, 0);
}
