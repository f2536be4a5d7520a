// How good a ranked list of predictions is against what was then bought, as the next-basket
// literature measures it (for instance Hu et al., "Modeling Personalized Item Frequency
// Information for Next-basket Recommendation", SIGIR 2020).

/** Of what was bought, the share found in the first `k` predictions (0 when nothing was bought). */
export function recallAtK(
  ranked: readonly string[],
  bought: ReadonlySet<string>,
  k: number,
): number {
  if (bought.size === 0) return 0;
  const hits = ranked.slice(0, k).filter((item) => bought.has(item)).length;
  return hits / bought.size;
}

/**
 * Normalised discounted cumulative gain of the first `k` predictions with binary relevance: a hit
 * at rank i (from 1) counts 1 / log2(i + 1), divided by the best possible ordering's sum.
 */
export function ndcgAtK(ranked: readonly string[], bought: ReadonlySet<string>, k: number): number {
  if (bought.size === 0) return 0;
  let dcg = 0;
  ranked.slice(0, k).forEach((item, i) => {
    if (bought.has(item)) dcg += 1 / Math.log2(i + 2);
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(k, bought.size); i++) ideal += 1 / Math.log2(i + 2);
  return dcg / ideal;
}
