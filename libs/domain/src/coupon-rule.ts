import { Cents } from './money';
import { ShopperProfile, departmentSpend } from './profile';
import { assertNever } from './errors';

// Audience conditions are facts of the shopper profile; a rule's audience is all of them (AND).
export type AudienceCondition =
  | { fact: 'lifetimeSpendCents'; atLeast: Cents }
  | { fact: 'visits'; atLeast: number }
  | { fact: 'departmentSpendCents'; department: string; atLeast: Cents };

export type RewardTarget = { scope: 'basket' } | { scope: 'department'; department: string };

export type Reward =
  | { kind: 'percentOff'; percent: number; target: RewardTarget }
  | { kind: 'amountOff'; amountCents: Cents; target: RewardTarget };

export const RULE_STATUSES = ['active', 'paused'] as const;
export type RuleStatus = (typeof RULE_STATUSES)[number];

export interface CouponRule {
  id: string;
  name: string;
  status: RuleStatus;
  audience: AudienceCondition[];
  reward: Reward;
  /** The window in which offers are issued (ISO 8601 instants). */
  validFrom: string;
  validUntil: string;
  /** How long an issued offer stays redeemable, capped by validUntil. */
  offerValidDays: number;
  perShopperLimit: number;
}

/** One matched condition with the profile's value: the reason an offer was issued. */
export interface MatchedFact {
  fact: AudienceCondition['fact'];
  department?: string;
  atLeast: number;
  actual: number;
}

export function factValue(condition: AudienceCondition, profile: ShopperProfile): number {
  switch (condition.fact) {
    case 'lifetimeSpendCents':
      return profile.lifetimeSpendCents;
    case 'visits':
      return profile.visits;
    case 'departmentSpendCents':
      return departmentSpend(profile.spendByDepartmentCents, condition.department);
    default:
      return assertNever(condition);
  }
}

/** The matched facts when every condition holds, null otherwise. */
export function evaluateAudience(
  audience: readonly AudienceCondition[],
  profile: ShopperProfile,
): MatchedFact[] | null {
  const matched: MatchedFact[] = [];
  for (const condition of audience) {
    const actual = factValue(condition, profile);
    if (actual < condition.atLeast) return null;
    matched.push({
      fact: condition.fact,
      ...(condition.fact === 'departmentSpendCents' ? { department: condition.department } : {}),
      atLeast: condition.atLeast,
      actual,
    });
  }
  return matched;
}

export function isRuleLive(rule: CouponRule, now: Date): boolean {
  const at = now.getTime();
  return (
    rule.status === 'active' &&
    new Date(rule.validFrom).getTime() <= at &&
    at < new Date(rule.validUntil).getTime()
  );
}
