import { Reward, RewardTarget } from './coupon-rule';
import { assertNever } from './errors';
import { Cents, percentOf, prorate } from './money';

export interface BasketLine {
  sku: string;
  department: string;
  quantity: number;
  amountCents: Cents;
}

export interface DiscountableOffer {
  code: string;
  reward: Reward;
}

export interface LineDiscount {
  lineIndex: number;
  discountCents: Cents;
}

export interface AppliedOffer {
  code: string;
  discountCents: Cents;
  lines: LineDiscount[];
}

export interface Quote {
  subtotalCents: Cents;
  discountCents: Cents;
  totalCents: Cents;
  appliedOffers: AppliedOffer[];
}

function targets(target: RewardTarget, line: BasketLine): boolean {
  switch (target.scope) {
    case 'basket':
      return true;
    case 'department':
      return line.department === target.department;
    default:
      return assertNever(target);
  }
}

function rewardAmount(reward: Reward, eligibleCents: Cents): Cents {
  switch (reward.kind) {
    case 'percentOff':
      return percentOf(eligibleCents, reward.percent);
    case 'amountOff':
      return Math.min(reward.amountCents, eligibleCents);
    default:
      return assertNever(reward);
  }
}

/**
 * Applies the offers in the given order, each to what earlier ones left of its target lines,
 * and spreads each discount over those lines in proportion to their amounts. No line ever goes
 * below zero; offers that discount nothing in this basket are left out.
 */
export function allocateDiscounts(
  lines: readonly BasketLine[],
  offers: readonly DiscountableOffer[],
): Quote {
  const remaining = lines.map((line) => Math.max(0, line.amountCents));
  const appliedOffers: AppliedOffer[] = [];
  for (const offer of offers) {
    const eligible = lines
      .map((line, lineIndex) => lineIndex)
      .filter((i) => remaining[i] > 0 && targets(offer.reward.target, lines[i]));
    const eligibleCents = eligible.reduce((sum, i) => sum + remaining[i], 0);
    const discountCents = rewardAmount(offer.reward, eligibleCents);
    if (discountCents <= 0) continue;
    const parts = prorate(
      discountCents,
      eligible.map((i) => remaining[i]),
    );
    const lineDiscounts = eligible
      .map((lineIndex, k) => ({ lineIndex, discountCents: parts[k] }))
      .filter((d) => d.discountCents > 0);
    for (const d of lineDiscounts) remaining[d.lineIndex] -= d.discountCents;
    appliedOffers.push({ code: offer.code, discountCents, lines: lineDiscounts });
  }
  const subtotalCents = lines.reduce((sum, line) => sum + line.amountCents, 0);
  const discountCents = appliedOffers.reduce((sum, o) => sum + o.discountCents, 0);
  return { subtotalCents, discountCents, totalCents: subtotalCents - discountCents, appliedOffers };
}
