import { CouponRule, MatchedFact, Reward, evaluateAudience, isRuleLive } from './coupon-rule';
import { ShopperProfile } from './profile';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface OfferToIssue {
  ruleId: string;
  shopperId: string;
  reward: Reward;
  validFrom: string;
  validUntil: string;
  reason: MatchedFact[];
}

/**
 * The offers a profile change earns: every live rule whose audience matches and whose
 * per-shopper limit is not yet reached (`issuedCounts` by rule id).
 */
export function decideOffersToIssue(
  rules: readonly CouponRule[],
  profile: ShopperProfile,
  issuedCounts: ReadonlyMap<string, number>,
  now: Date,
): OfferToIssue[] {
  const offers: OfferToIssue[] = [];
  for (const rule of rules) {
    if (!isRuleLive(rule, now)) continue;
    if ((issuedCounts.get(rule.id) ?? 0) >= rule.perShopperLimit) continue;
    const reason = evaluateAudience(rule.audience, profile);
    if (!reason) continue;
    const expiry = Math.min(
      now.getTime() + rule.offerValidDays * DAY_MS,
      Date.parse(rule.validUntil),
    );
    offers.push({
      ruleId: rule.id,
      shopperId: profile.shopperId,
      reward: rule.reward,
      validFrom: now.toISOString(),
      validUntil: new Date(expiry).toISOString(),
      reason,
    });
  }
  return offers;
}
