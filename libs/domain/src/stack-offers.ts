import {
  AppliedOffer,
  BasketLine,
  DiscountableOffer,
  EarnRate,
  Quote,
  allocateDiscounts,
  applyOffer,
} from './allocate-discounts';
import { StackingMode } from './rules/rule-model';

/** An offer with the terms that decide whether it combines with others. */
export interface StackableOffer extends DiscountableOffer {
  /** Higher applies first. */
  priority: number;
  stacking: StackingMode;
  /** At most one offer of a group applies. */
  stackingGroup: string | null;
}

export const LEFT_OUT_REASONS = [
  /** The basket is below the offer's minimum. */
  'minimum-basket-not-met',
  /** Nothing in the basket is of the offer's target (or, for a free item, not the item). */
  'target-not-in-basket',
  /** Offers applied before it left nothing of its target. */
  'nothing-left',
  /** Another offer of its stacking group gives more. */
  'stacking-group',
  /** An exclusive offer gives more alone, or the offers that combine give more than it. */
  'not-combinable',
  /** It applies only once clipped, and the shopper has not clipped it (`quoteBasket`). */
  'not-clipped',
  /** It is redeemable in other stores only (`quoteBasket`). */
  'wrong-store',
  /** Its rule's money budget cannot pay for what it would give (`quoteBasket`). */
  'budget-exhausted',
  /** The household used its rule as often as the cap allows in this period (`quoteBasket`). */
  'household-cap-reached',
] as const;
export type LeftOutReason = (typeof LEFT_OUT_REASONS)[number];

export interface StackedQuote extends Quote {
  /** The offers that give nothing on this basket, each with why. */
  leftOut: { code: string; reason: LeftOutReason }[];
}

/** The one order offers apply in: priority, higher first, then code. */
function byPriority(a: StackableOffer, b: StackableOffer): number {
  return b.priority - a.priority || a.code.localeCompare(b.code);
}

/** More money off first, then more points, then the order they apply in. */
function better(
  a: { offer: StackableOffer; alone: AppliedOffer },
  b: { offer: StackableOffer; alone: AppliedOffer },
): number {
  return (
    b.alone.discountCents - a.alone.discountCents ||
    b.alone.bonusPoints - a.alone.bonusPoints ||
    byPriority(a.offer, b.offer)
  );
}

const gives = (applied: Pick<AppliedOffer, 'discountCents' | 'bonusPoints'>) =>
  applied.discountCents > 0 || applied.bonusPoints > 0;

/**
 * Which of a shopper's offers apply to a basket, deterministically:
 * 1. Each offer is judged alone on the whole basket; one that gives nothing is left out, with
 *    why (its minimum basket, or its target missing).
 * 2. Of a stacking group, only the offer giving most alone stays (money, then points, then
 *    priority and code).
 * 3. The stackable offers apply together, by priority then code, each to what the ones before
 *    it left. Each exclusive offer applies alone. The shopper gets whichever gives more money
 *    off (then more points): the stackable offers together or the best exclusive one; on a tie
 *    the exclusive one, which leaves the other offers for another visit.
 */
export function stackOffers(
  lines: readonly BasketLine[],
  offers: readonly StackableOffer[],
  rate?: EarnRate,
): StackedQuote {
  const remaining = lines.map((line) => Math.max(0, line.amountCents));
  const subtotalCents = lines.reduce((sum, line) => sum + line.amountCents, 0);
  const leftOut: StackedQuote['leftOut'] = [];
  const judged = [...offers]
    .sort(byPriority)
    .map((offer) => ({ offer, alone: applyOffer(offer, lines, remaining, subtotalCents, rate) }));
  const giving = judged.filter(({ offer, alone }) => {
    if (gives(alone)) return true;
    const { minBasketCents } = offer.reward;
    leftOut.push({
      code: offer.code,
      reason:
        minBasketCents !== undefined && subtotalCents < minBasketCents
          ? 'minimum-basket-not-met'
          : 'target-not-in-basket',
    });
    return false;
  });
  const bestOfGroup = new Map<string, (typeof giving)[number]>();
  for (const candidate of giving) {
    const group = candidate.offer.stackingGroup;
    if (group === null) continue;
    const best = bestOfGroup.get(group);
    if (best === undefined || better(candidate, best) < 0) bestOfGroup.set(group, candidate);
  }
  const kept = giving.filter(({ offer }) => {
    const group = offer.stackingGroup;
    if (group === null || bestOfGroup.get(group)?.offer === offer) return true;
    leftOut.push({ code: offer.code, reason: 'stacking-group' });
    return false;
  });

  const stackable = kept.filter(({ offer }) => offer.stacking === 'stackable').map((k) => k.offer);
  const together = allocateDiscounts(lines, stackable, rate);
  const exclusive = kept.filter(({ offer }) => offer.stacking === 'exclusive').sort(better)[0];
  const points = (quote: Quote) => quote.appliedOffers.reduce((s, o) => s + o.bonusPoints, 0);
  const alone = exclusive && allocateDiscounts(lines, [exclusive.offer], rate);
  const exclusiveWins =
    alone !== undefined &&
    (alone.discountCents - together.discountCents || points(alone) - points(together)) >= 0;
  const chosen = exclusiveWins ? alone : together;
  const applied = new Set(chosen.appliedOffers.map((o) => o.code));
  for (const { offer } of kept) {
    if (applied.has(offer.code)) continue;
    const beaten = exclusiveWins || offer.stacking === 'exclusive';
    leftOut.push({ code: offer.code, reason: beaten ? 'not-combinable' : 'nothing-left' });
  }
  return { ...chosen, leftOut };
}
