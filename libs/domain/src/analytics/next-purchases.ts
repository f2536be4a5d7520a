// What a household will probably buy next, and why. Each item it bought is scored by its
// time-decayed frequency (recent purchases weigh more: half as much every `halfLifeDays`), lifted
// when the item is due by its own repeat cadence (the median days between the days it was
// bought), the more the closer today is to the next due day. What the population buys adds a
// prior: each item's share of households, relative to the most bought item's, times
// `popularityWeight` (0: the popular items only fill what is left of the list). Every
// suggestion says why.

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
}

export const DEFAULT_NEXT_PURCHASE_OPTIONS: Omit<NextPurchaseOptions, 'k'> = {
  halfLifeDays: 60,
  dueWeight: 1,
};

export interface NextPurchase {
  item: string;
  score: number;
  /** Why, in a few words each: "bought 6 times", "bought every 7 days", "due since 2 days". */
  reasons: string[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The household's likely next purchases as of `today`, best first, at most `k`. */
export function predictNextPurchases(
  purchases: readonly Purchase[],
  today: number,
  options: NextPurchaseOptions,
): NextPurchase[] {
  const daysByItem = new Map<string, Set<number>>();
  for (const { item, day } of purchases) {
    if (day > today) continue;
    const days = daysByItem.get(item) ?? new Set<number>();
    days.add(day);
    daysByItem.set(item, days);
  }
  const scored: NextPurchase[] = [];
  for (const [item, daySet] of daysByItem) {
    const days = [...daySet].sort((a, b) => a - b);
    const frequency = days.reduce(
      (sum, day) => sum + 0.5 ** ((today - day) / options.halfLifeDays),
      0,
    );
    const reasons = [`bought ${days.length} time${days.length === 1 ? '' : 's'}`];
    let lift = 1;
    if (days.length >= 2) {
      const cadence = median(days.slice(1).map((day, i) => day - days[i]));
      const since = today - days[days.length - 1];
      // 1 on the due day, falling off as today moves a cadence away from it either way.
      const nearness = Math.exp(-(((since - cadence) / cadence) ** 2) * 2);
      lift += options.dueWeight * nearness;
      reasons.push(`bought every ${Math.round(cadence)} days`);
      const late = Math.round(since - cadence);
      reasons.push(late >= 0 ? `due since ${late} days` : `due in ${-late} days`);
    }
    scored.push({ item, score: frequency * lift, reasons });
  }
  const popularity = options.popularity ?? new Map<string, number>();
  const top = Math.max(0, ...popularity.values());
  const weight = options.popularityWeight ?? 0;
  if (top > 0) {
    const known = new Map(scored.map((s) => [s.item, s]));
    for (const [item, share] of popularity) {
      const prior = (weight * share) / top;
      const own = known.get(item);
      if (own) own.score += prior;
      else scored.push({ item, score: prior, reasons: ['popular with shoppers'] });
    }
  }
  // Best first; among equals (the popular items of a weight 0) the more popular, then by name.
  return scored
    .sort(
      (a, b) =>
        b.score - a.score ||
        (popularity.get(b.item) ?? 0) - (popularity.get(a.item) ?? 0) ||
        a.item.localeCompare(b.item),
    )
    .slice(0, options.k);
}
