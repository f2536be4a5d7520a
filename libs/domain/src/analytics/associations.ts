// What goes with what: pair associations mined from baskets, the classic market-basket measures.
// For items A and B over N baskets (each item counted once per basket):
//   support(A→B)    = baskets holding both / N
//   confidence(A→B) = baskets holding both / baskets holding A
//   lift(A→B)       = confidence(A→B) / (baskets holding B / N)
// A lift above 1 means B is bought with A more often than B's own share of baskets.

export interface Association {
  antecedent: string;
  consequent: string;
  /** Baskets holding both. */
  together: number;
  support: number;
  confidence: number;
  lift: number;
}

export interface AssociationLimits {
  /** Pairs (and items) found in fewer baskets than this are not kept: noise, and unbounded work. */
  minTogether: number;
  /** At most this many consequents per antecedent: the strongest by lift, then confidence. */
  topPerItem: number;
  /** Pairs whose lift is not above this are not kept (1: no better than chance). */
  minLift?: number;
}

/** Counts of items and pairs over some baskets: what mining needs, and can be added up. */
export interface BasketCounts {
  baskets: number;
  items: Map<string, number>;
  /** Keyed by `pairKey`. */
  pairs: Map<string, number>;
}

const SEPARATOR = '\u0000';

/** The key of a pair in `BasketCounts.pairs`, whichever order the items come in. */
export function pairKey(a: string, b: string): string {
  return a < b ? a + SEPARATOR + b : b + SEPARATOR + a;
}

/**
 * Counts the items and pairs of the baskets. Only items found in at least `minItemCount` baskets
 * are paired (a pair is never more frequent than its rarer item), which bounds the pairs kept.
 */
export function countBaskets(baskets: Iterable<readonly string[]>, minItemCount = 1): BasketCounts {
  const lists: string[][] = [];
  const items = new Map<string, number>();
  for (const basket of baskets) {
    const unique = [...new Set(basket)].sort();
    lists.push(unique);
    for (const item of unique) items.set(item, (items.get(item) ?? 0) + 1);
  }
  const pairs = new Map<string, number>();
  for (const basket of lists) {
    const frequent = basket.filter((item) => (items.get(item) ?? 0) >= minItemCount);
    for (let i = 0; i < frequent.length; i++)
      for (let j = i + 1; j < frequent.length; j++) {
        const key = pairKey(frequent[i], frequent[j]);
        pairs.set(key, (pairs.get(key) ?? 0) + 1);
      }
  }
  return { baskets: lists.length, items, pairs };
}

/** The associations of both directions of every pair the counts hold, within the limits. */
export function associationsOf(counts: BasketCounts, limits: AssociationLimits): Association[] {
  const { baskets, items, pairs } = counts;
  if (baskets === 0) return [];
  const byAntecedent = new Map<string, Association[]>();
  for (const [key, together] of pairs) {
    if (together < limits.minTogether) continue;
    const [a, b] = key.split(SEPARATOR);
    for (const [antecedent, consequent] of [
      [a, b],
      [b, a],
    ]) {
      const confidence = together / (items.get(antecedent) as number);
      const lift = confidence / ((items.get(consequent) as number) / baskets);
      if (lift <= (limits.minLift ?? 1)) continue;
      const found = byAntecedent.get(antecedent) ?? [];
      found.push({
        antecedent,
        consequent,
        together,
        support: together / baskets,
        confidence,
        lift,
      });
      byAntecedent.set(antecedent, found);
    }
  }
  return [...byAntecedent.keys()]
    .sort()
    .flatMap((antecedent) =>
      (byAntecedent.get(antecedent) as Association[])
        .sort(
          (x, y) =>
            y.lift - x.lift ||
            y.confidence - x.confidence ||
            x.consequent.localeCompare(y.consequent),
        )
        .slice(0, limits.topPerItem),
    );
}

/** Mines the baskets: `countBaskets` then `associationsOf`. */
export function mineAssociations(
  baskets: Iterable<readonly string[]>,
  limits: AssociationLimits,
): Association[] {
  return associationsOf(countBaskets(baskets, limits.minTogether), limits);
}
