// What a household will probably buy next, and why. Each item it bought is scored by its
// time-decayed frequency (recent purchases weigh more: half as much every `halfLifeDays`), lifted
// when the item is due by its own repeat cadence (the mean days between its purchases), the more
// the closer today is to the next due day. The history of an item is a summary (how many
// purchases, the first and the last day), as the profile keeps it per household and product. What the population buys adds a
// prior: each item's share of households, relative to the most bought item's, times
// `popularityWeight` (0: the popular items only fill what is left of the list). And what goes
// with what the household bought on its last visit (households that buy X often buy Y) adds each
// consequent's confidence times `associationWeight`. Every suggestion says why.

import { Association } from './associations';

export interface Purchase {
  item: string;
  /** The day it was bought, as a day number (days since 1970-01-01). */
  day: number;
}

export interface NextPurchaseOptions {
  /** How many suggestions. */
  k: number;
  /** A purchase this many days old weighs half a purchase today. */
  halfLifeDays: number;
  /** How much being due lifts an item's score at most (0: cadence ignored). */
  dueWeight: number;
  /** Each item's share of households buying it (0 to 1). */
  popularity?: ReadonlyMap<string, number>;
  /** The weight of the population's prior against one purchase today (0: fill only). */
  popularityWeight?: number;
  /** Each item's associations (its consequents), as `mineAssociations` gives them. */
  associations?: ReadonlyMap<string, readonly Association[]>;
  /** The weight of a confidence of 1 against one purchase today (0 or absent: not used). */
  associationWeight?: number;
}

export const DEFAULT_NEXT_PURCHASE_OPTIONS: Omit<NextPurchaseOptions, 'k'> = {
  halfLifeDays: 60,
  dueWeight: 1,
};

export interface NextPurchase {
  item: string;
  score: number;
  /**
   * Why, in a few words each: "bought 6 times", "bought every 7 days", "due since 2 days",
   * "often bought with X", "popular with shoppers".
   */
  reasons: string[];
}

/** What a household's history says of one item: how often and between which days it was bought. */
export interface ItemHistory {
  item: string;
  /** The purchases (days, or sales) that bought it. */
  purchases: number;
  firstDay: number;
  lastDay: number;
}

/** The history of each item from single purchases, each day counted once. */
export function summarisePurchases(purchases: readonly Purchase[]): ItemHistory[] {
  const daysByItem = new Map<string, Set<number>>();
  for (const { item, day } of purchases)
    daysByItem.set(item, (daysByItem.get(item) ?? new Set<number>()).add(day));
  return [...daysByItem].map(([item, days]) => ({
    item,
    purchases: days.size,
    firstDay: Math.min(...days),
    lastDay: Math.max(...days),
  }));
}

/**
 * Histories of finer items rolled up to coarser ones (products to their category): purchases
 * summed, the first and last day of any. A sale with two products of a category counts twice.
 */
export function rollUpHistories(
  histories: readonly ItemHistory[],
  groupOf: (item: string) => string,
): ItemHistory[] {
  const groups = new Map<string, ItemHistory>();
  for (const { item, purchases, firstDay, lastDay } of histories) {
    const group = groupOf(item);
    const held = groups.get(group);
    groups.set(
      group,
      held
        ? {
            item: group,
            purchases: held.purchases + purchases,
            firstDay: Math.min(held.firstDay, firstDay),
            lastDay: Math.max(held.lastDay, lastDay),
          }
        : { item: group, purchases, firstDay, lastDay },
    );
  }
  return [...groups.values()];
}

const byPopularity =
  (popularity: ReadonlyMap<string, number>) =>
  (a: string, b: string): number =>
    (popularity.get(b) ?? 0) - (popularity.get(a) ?? 0) || a.localeCompare(b);

/** The `k` most popular items not in `known`, most popular first (one pass, no full sort). */
function mostPopular(
  popularity: ReadonlyMap<string, number>,
  k: number,
  known: ReadonlyMap<string, unknown>,
): string[] {
  const order = byPopularity(popularity);
  const best: string[] = [];
  for (const item of popularity.keys()) {
    if (known.has(item)) continue;
    if (best.length === k && order(item, best[k - 1]) >= 0) continue;
    if (best.length === k) best.pop();
    best.push(item);
    best.sort(order);
  }
  return best;
}

/**
 * The household's likely next purchases as of `today`, best first, at most `k`. A history's
 * purchases are taken as evenly spread between its first and last day: the decayed frequency
 * sums them so, and the cadence is their mean interval. Histories after `today` are ignored.
 */
export function predictNextPurchases(
  histories: readonly ItemHistory[],
  today: number,
  options: NextPurchaseOptions,
): NextPurchase[] {
  const known = histories.filter((h) => h.lastDay <= today && h.purchases > 0);
  const scored: NextPurchase[] = known.map(({ item, purchases, firstDay, lastDay }) => {
    const since = today - lastDay;
    const cadence = purchases > 1 ? (lastDay - firstDay) / (purchases - 1) : 0;
    // Σ over the purchases of ½^(age / half-life), ages since, since + cadence, ...
    const ratio = 0.5 ** (cadence / options.halfLifeDays);
    const frequency =
      0.5 ** (since / options.halfLifeDays) *
      (ratio === 1 ? purchases : (1 - ratio ** purchases) / (1 - ratio));
    const reasons = [`bought ${purchases} time${purchases === 1 ? '' : 's'}`];
    let lift = 1;
    if (cadence > 0) {
      // 1 on the due day, falling off as today moves a cadence away from it either way.
      const nearness = Math.exp(-(((since - cadence) / cadence) ** 2) * 2);
      lift += options.dueWeight * nearness;
      reasons.push(`bought every ${Math.round(cadence)} days`);
      const late = Math.round(since - cadence);
      reasons.push(late >= 0 ? `due since ${late} days` : `due in ${-late} days`);
    }
    return { item, score: frequency * lift, reasons };
  });
  const byItem = new Map(scored.map((s) => [s.item, s]));
  const associationWeight = options.associationWeight ?? 0;
  if (associationWeight > 0 && options.associations && known.length > 0) {
    const lastDay = Math.max(...known.map((h) => h.lastDay));
    const lastBasket = known.filter((h) => h.lastDay === lastDay).map((h) => h.item);
    // Each consequent once, by its most confident antecedent (then by name).
    const best = new Map<string, Association>();
    for (const item of lastBasket.sort())
      for (const association of options.associations.get(item) ?? []) {
        const held = best.get(association.consequent);
        if (!held || association.confidence > held.confidence)
          best.set(association.consequent, association);
      }
    for (const [consequent, association] of best) {
      const reason = `often bought with ${association.antecedent}`;
      const boost = associationWeight * association.confidence;
      const own = byItem.get(consequent);
      if (own) {
        own.score += boost;
        own.reasons.push(reason);
      } else {
        const suggestion = { item: consequent, score: boost, reasons: [reason] };
        scored.push(suggestion);
        byItem.set(consequent, suggestion);
      }
    }
  }
  const popularity = options.popularity ?? new Map<string, number>();
  let top = 0;
  for (const share of popularity.values()) top = Math.max(top, share);
  if (top > 0) {
    const weight = options.popularityWeight ?? 0;
    for (const suggestion of scored)
      suggestion.score += (weight * (popularity.get(suggestion.item) ?? 0)) / top;
    // Of the items the household never bought, only the k most popular can make the list.
    for (const item of mostPopular(popularity, options.k, byItem))
      scored.push({
        item,
        score: (weight * (popularity.get(item) as number)) / top,
        reasons: ['popular with shoppers'],
      });
  }
  // Best first; among equals (the popular items of a weight 0) the more popular, then by name.
  const order = byPopularity(popularity);
  return scored.sort((a, b) => b.score - a.score || order(a.item, b.item)).slice(0, options.k);
}
