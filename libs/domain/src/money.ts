// Money is integer minor units (cents) of the deployment's single currency.
export type Cents = number;

// The one rounding rule: half away from zero, to whole cents.
export function roundCents(value: number): Cents {
  return Math.sign(value) * Math.round(Math.abs(value));
}

/** `percent` of `amount`, rounded by the one rounding rule. */
export function percentOf(amount: Cents, percent: number): Cents {
  return roundCents((amount * percent) / 100);
}

/**
 * Splits `total` over `weights` proportionally, in whole cents, so that the parts add up to
 * `total` exactly (largest remainder; ties go to the earlier weight).
 */
export function prorate(total: Cents, weights: readonly Cents[]): Cents[] {
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  if (weightSum === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / weightSum);
  const parts = exact.map(Math.floor);
  let remainder = total - parts.reduce((sum, p) => sum + p, 0);
  const byFraction = exact
    .map((value, index) => ({ index, fraction: value - Math.floor(value) }))
    .sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  for (const { index } of byFraction) {
    if (remainder <= 0) break;
    parts[index] += 1;
    remainder -= 1;
  }
  return parts;
}
