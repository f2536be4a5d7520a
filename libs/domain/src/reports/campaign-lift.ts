// What a campaign added: the spend of the households it treated against its control group's (the
// households held out of it at random), per household over the same weeks. The difference of the
// means is the incremental spend per treated household; its confidence interval is Welch's (the
// two groups' variances need not be equal), with the normal quantile: the groups of a loyalty
// campaign are hundreds of households or more.

/** A group's spend per household, summed as SQL sums it: count, sum and sum of squares. */
export interface SpendSummary {
  households: number;
  sumCents: number;
  sumSquaresCents: number;
}

export interface CampaignLift {
  treatedMeanCents: number;
  controlMeanCents: number;
  /** Treated mean less control mean: what the campaign added per treated household. */
  incrementalCentsPerHousehold: number;
  /** The confidence interval of the incremental spend per household; null when a group is too small. */
  low: number | null;
  high: number | null;
  confidence: number;
  /** The incremental spend times the treated households. */
  incrementalCents: number;
}

/** Two-sided normal quantiles of the confidence levels offered. */
const Z: Record<string, number> = { '0.9': 1.6449, '0.95': 1.96, '0.99': 2.5758 };

export const CONFIDENCE_LEVELS = [0.9, 0.95, 0.99] as const;

function meanAndVariance(group: SpendSummary): { mean: number; variance: number | null } {
  const { households: n, sumCents, sumSquaresCents } = group;
  if (n === 0) return { mean: 0, variance: null };
  const mean = sumCents / n;
  if (n < 2) return { mean, variance: null };
  // Sample variance; never below 0 for rounding.
  return { mean, variance: Math.max(0, (sumSquaresCents - n * mean * mean) / (n - 1)) };
}

/** The lift of treated over control at `confidence` (0.9, 0.95 or 0.99). */
export function campaignLift(
  treated: SpendSummary,
  control: SpendSummary,
  confidence: (typeof CONFIDENCE_LEVELS)[number] = 0.95,
): CampaignLift {
  const t = meanAndVariance(treated);
  const c = meanAndVariance(control);
  const difference = t.mean - c.mean;
  const interval =
    t.variance === null || c.variance === null
      ? null
      : Z[String(confidence)] *
        Math.sqrt(t.variance / treated.households + c.variance / control.households);
  return {
    treatedMeanCents: t.mean,
    controlMeanCents: c.mean,
    incrementalCentsPerHousehold: difference,
    low: interval === null ? null : difference - interval,
    high: interval === null ? null : difference + interval,
    confidence,
    incrementalCents: difference * treated.households,
  };
}
