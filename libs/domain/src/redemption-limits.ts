import { Cents } from './money';

/** What the checkout enforces of an offer's rule when offers are used. */
export interface RuleLimits {
  /** The rule's money budget and what its redemptions spent so far; null: no budget. */
  budget: { budgetCents: Cents; spentCents: Cents } | null;
  /** Redemptions a household may make in the cap's current period, and this one's so far. */
  cap: { count: number; used: number } | null;
}

export type LimitRefusal = 'budget-exhausted' | 'household-cap-reached';

/**
 * Why a rule's limits refuse `uses` more redemptions of it giving `discountCents` together, or
 * null when they allow them: the household's cap would be passed, or the budget overspent.
 */
export function limitRefusal(
  limits: RuleLimits | undefined,
  uses: number,
  discountCents: Cents,
): LimitRefusal | null {
  if (limits === undefined) return null;
  if (limits.cap !== null && limits.cap.used + uses > limits.cap.count)
    return 'household-cap-reached';
  if (
    limits.budget !== null &&
    limits.budget.spentCents + discountCents > limits.budget.budgetCents
  )
    return 'budget-exhausted';
  return null;
}
