import { assertNever } from './errors';
import { Cents, percentOf, prorate } from './money';
import { Reward, RewardTarget } from './rules/rule-model';

export interface BasketLine {
  sku: string;
  department: string;
  category?: string | null;
  brand?: string | null;
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
  if ('basket' in target) return true;
  if ('skus' in target) return target.skus.includes(line.sku);
  if ('department' in target) return line.department === target.department;
  if ('category' in target) return line.category === target.category;
  return line.brand === target.brand;
}

/**
 * The money off `reward` gives on `eligibleCents` of its target lines, in a basket of
 * `subtotalCents`: nothing below its minimum basket, never more than its cap. Rewards that price
 * units (fixed price, buy X get Y, a free item) and points rewards give no money off here yet:
 * the checkout applies them from issue 12 on.
 */
function rewardAmount(reward: Reward, eligibleCents: Cents, subtotalCents: Cents): Cents {
  if (reward.minBasketCents !== undefined && subtotalCents < reward.minBasketCents) return 0;
  const cap = (cents: Cents) => Math.min(cents, reward.maxDiscountCents ?? cents);
  switch (reward.kind) {
    case 'percentOff':
      return cap(percentOf(eligibleCents, reward.percent));
    case 'amountOff':
      return cap(Math.min(reward.amountCents, eligibleCents));
    case 'fixedPrice':
    case 'buyXGetY':
    case 'freeItem':
    case 'pointsMultiplier':
    case 'bonusPoints':
      return 0;
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
  const subtotalCents = lines.reduce((sum, line) => sum + line.amountCents, 0);
  const appliedOffers: AppliedOffer[] = [];
  for (const offer of offers) {
    const eligible = lines
      .map((line, lineIndex) => lineIndex)
      .filter((i) => remaining[i] > 0 && targets(offer.reward.target, lines[i]));
    const eligibleCents = eligible.reduce((sum, i) => sum + remaining[i], 0);
    const discountCents = rewardAmount(offer.reward, eligibleCents, subtotalCents);
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
  const discountCents = appliedOffers.reduce((sum, o) => sum + o.discountCents, 0);
  return { subtotalCents, discountCents, totalCents: subtotalCents - discountCents, appliedOffers };
}
