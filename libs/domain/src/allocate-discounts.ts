import { assertNever } from './errors';
import { Cents, percentOf, prorate } from './money';
import { pointsFor } from './project-transactions';
import { Reward, RewardTarget } from './rules/rule-model';

export interface BasketLine {
  sku: string;
  department: string;
  category?: string | null;
  brand?: string | null;
  /** Units, or the weight of a weighed item (a fraction: it has no units to count). */
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
  /** Points the offer adds to what the basket earns (points rewards only). */
  bonusPoints: number;
}

export interface Quote {
  subtotalCents: Cents;
  discountCents: Cents;
  totalCents: Cents;
  appliedOffers: AppliedOffer[];
}

/** How the programme turns money into points: `pointsFor`'s rate, points per currency unit. */
export interface EarnRate {
  pointsPerCurrencyUnit: number;
}

/** Without a programme rate, points rewards count one point per currency unit. */
const DEFAULT_RATE: EarnRate = { pointsPerCurrencyUnit: 1 };

function targets(target: RewardTarget, line: BasketLine): boolean {
  if ('basket' in target) return true;
  if ('skus' in target) return target.skus.includes(line.sku);
  if ('department' in target) return line.department === target.department;
  if ('category' in target) return line.category === target.category;
  return line.brand === target.brand;
}

/** A line as an offer sees it: what earlier offers left of its amount. */
interface Open {
  lineIndex: number;
  line: BasketLine;
  remaining: Cents;
}

/** Whole units of a line, each priced from what is left of it: at most two prices a line. */
interface Units {
  lineIndex: number;
  priceCents: Cents;
  count: number;
}

/** Units of counted lines (whole quantities); a weighed line has none to count. */
function unitsOf(open: readonly Open[]): Units[] {
  return open.flatMap(({ lineIndex, line, remaining }) => {
    if (!Number.isInteger(line.quantity) || line.quantity <= 0) return [];
    // Largest remainder over equal units: `extra` units cost one cent more than the others.
    const low = Math.floor(remaining / line.quantity);
    const extra = remaining - low * line.quantity;
    return [
      { lineIndex, priceCents: low + 1, count: extra },
      { lineIndex, priceCents: low, count: line.quantity - extra },
    ].filter((u) => u.count > 0 && u.priceCents > 0);
  });
}

/** The `count` cheapest (or dearest) units for free, by line; ties to the earlier line. */
function freeUnits(units: Units[], count: number, dearestFirst: boolean): Map<number, Cents> {
  const order = [...units].sort(
    (a, b) =>
      (dearestFirst ? b.priceCents - a.priceCents : a.priceCents - b.priceCents) ||
      a.lineIndex - b.lineIndex,
  );
  const free = new Map<number, Cents>();
  let left = count;
  for (const u of order) {
    if (left <= 0) break;
    const taken = Math.min(left, u.count);
    free.set(u.lineIndex, (free.get(u.lineIndex) ?? 0) + taken * u.priceCents);
    left -= taken;
  }
  return free;
}

/**
 * Money off per line, before the offer's cap: `open` are the target lines with something left,
 * `counted` every line with something left (a free item may lie outside the target).
 */
function uncappedDiscounts(
  reward: Reward,
  open: readonly Open[],
  counted: readonly Open[],
): Map<number, Cents> {
  const eligibleCents = open.reduce((sum, o) => sum + o.remaining, 0);
  const spread = (total: Cents) => {
    const parts = prorate(
      total,
      open.map((o) => o.remaining),
    );
    return new Map(open.map((o, k) => [o.lineIndex, parts[k]]));
  };
  switch (reward.kind) {
    case 'percentOff':
      return spread(percentOf(eligibleCents, reward.percent));
    case 'amountOff':
      return spread(Math.min(reward.amountCents, eligibleCents));
    case 'fixedPrice':
      // Each unit (or each unit of weight) at the price: what the line costs above it comes off.
      return new Map(
        open.map((o) => [
          o.lineIndex,
          Math.max(0, o.remaining - Math.round(reward.priceCents * o.line.quantity)),
        ]),
      );
    case 'buyXGetY': {
      const units = unitsOf(open);
      const count = units.reduce((sum, u) => sum + u.count, 0);
      const free = Math.floor(count / (reward.buy + reward.get)) * reward.get;
      return freeUnits(units, free, reward.free === 'mostExpensive');
    }
    case 'freeItem':
      // One unit of the item free (its cheapest), once the basket holds something of the target.
      if (eligibleCents <= 0) return new Map();
      return freeUnits(unitsOf(counted.filter((o) => o.line.sku === reward.sku)), 1, false);
    case 'pointsMultiplier':
    case 'bonusPoints':
      return new Map();
    default:
      return assertNever(reward);
  }
}

/** The offer's cap over its line discounts, taken back in proportion to them. */
function capped(discounts: Map<number, Cents>, maxDiscountCents: Cents | undefined) {
  const entries = [...discounts].filter(([, cents]) => cents > 0);
  const total = entries.reduce((sum, [, cents]) => sum + cents, 0);
  if (maxDiscountCents === undefined || total <= maxDiscountCents) return entries;
  const parts = prorate(
    maxDiscountCents,
    entries.map(([, cents]) => cents),
  );
  return entries.map(([lineIndex], k) => [lineIndex, parts[k]] as const);
}

function bonusPointsOf(reward: Reward, eligibleCents: Cents, rate: EarnRate): number {
  if (eligibleCents <= 0) return 0;
  if (reward.kind === 'bonusPoints') return reward.points;
  if (reward.kind === 'pointsMultiplier')
    return Math.floor(
      pointsFor(eligibleCents, rate.pointsPerCurrencyUnit) * (reward.multiplier - 1),
    );
  return 0;
}

/**
 * What `offer` gives on a basket of which `remaining` is left per line, in a basket of
 * `subtotalCents`: money off per line (never more than a line has left, never more than the
 * offer's cap) and bonus points; nothing below its minimum basket.
 */
export function applyOffer(
  offer: DiscountableOffer,
  lines: readonly BasketLine[],
  remaining: readonly Cents[],
  subtotalCents: Cents,
  rate: EarnRate = DEFAULT_RATE,
): AppliedOffer {
  const { reward } = offer;
  const none = { code: offer.code, discountCents: 0, lines: [], bonusPoints: 0 };
  if (reward.minBasketCents !== undefined && subtotalCents < reward.minBasketCents) return none;
  const counted: Open[] = lines
    .map((line, lineIndex) => ({ lineIndex, line, remaining: remaining[lineIndex] }))
    .filter((o) => o.remaining > 0);
  const open = counted.filter((o) => targets(reward.target, o.line));
  const lineDiscounts = capped(uncappedDiscounts(reward, open, counted), reward.maxDiscountCents)
    .map(([lineIndex, discountCents]) => ({ lineIndex, discountCents }))
    .filter((d) => d.discountCents > 0)
    .sort((a, b) => a.lineIndex - b.lineIndex);
  return {
    code: offer.code,
    discountCents: lineDiscounts.reduce((sum, d) => sum + d.discountCents, 0),
    lines: lineDiscounts,
    bonusPoints: bonusPointsOf(
      reward,
      open.reduce((sum, o) => sum + o.remaining, 0),
      rate,
    ),
  };
}

/**
 * Applies the offers in the given order, each to what earlier ones left of its target lines.
 * No line ever goes below zero; offers that give nothing in this basket are left out.
 */
export function allocateDiscounts(
  lines: readonly BasketLine[],
  offers: readonly DiscountableOffer[],
  rate: EarnRate = DEFAULT_RATE,
): Quote {
  const remaining = lines.map((line) => Math.max(0, line.amountCents));
  const subtotalCents = lines.reduce((sum, line) => sum + line.amountCents, 0);
  const appliedOffers: AppliedOffer[] = [];
  for (const offer of offers) {
    const applied = applyOffer(offer, lines, remaining, subtotalCents, rate);
    if (applied.discountCents <= 0 && applied.bonusPoints <= 0) continue;
    for (const d of applied.lines) remaining[d.lineIndex] -= d.discountCents;
    appliedOffers.push(applied);
  }
  const discountCents = appliedOffers.reduce((sum, o) => sum + o.discountCents, 0);
  return { subtotalCents, discountCents, totalCents: subtotalCents - discountCents, appliedOffers };
}
