import { AudienceFacts, productMatches } from './evaluate-audience';
import { Rule } from './rule-model';

/** Weeks of 13 in days: the basket's interval when no cadence is known, over 13-week visits. */
const THIRTEEN_WEEKS_DAYS = 91;

/**
 * What an offer of `rule` is expected to save the household, in cents: the chance it buys the
 * target within the offer's validity (validity over its days between purchases of the target:
 * the item's repeat interval, or its cadence for the basket; 0 for an item it never bought or
 * below the minimum basket), times what the reward gives on what it spends on the target per
 * purchase (the item's lifetime spend per purchase, or the average basket). Rewards priced per
 * unit and points rewards save no money here: 0. The rule preview sums the same in SQL.
 */
export function expectedSavingCents(rule: Rule, facts: AudienceFacts): number {
  const { reward } = rule;
  const { spend, interval } = perPurchase(rule, facts);
  const basket = facts.averageBasket52wCents ?? 0;
  if (spend <= 0 || interval === null || interval <= 0 || basket < (reward.minBasketCents ?? 0))
    return 0;
  const chance = Math.min(1, rule.offerValidDays / interval);
  const cap = (cents: number) => Math.min(cents, reward.maxDiscountCents ?? cents);
  switch (reward.kind) {
    case 'percentOff':
      return chance * cap((spend * reward.percent) / 100);
    case 'amountOff':
      return chance * cap(Math.min(spend, reward.amountCents));
    default:
      return 0;
  }
}

function perPurchase(rule: Rule, facts: AudienceFacts): { spend: number; interval: number | null } {
  const target = rule.reward.target;
  if ('basket' in target)
    return {
      spend: facts.averageBasket52wCents ?? 0,
      interval:
        facts.cadenceDays ?? (facts.visits13w > 0 ? THIRTEEN_WEEKS_DAYS / facts.visits13w : null),
    };
  const bought = facts.products.filter((p) => productMatches(p, target));
  const purchases = bought.reduce((sum, p) => sum + p.purchases, 0);
  const intervals = bought.flatMap((p) =>
    p.repeatIntervalDays === null ? [] : [p.repeatIntervalDays],
  );
  return {
    spend: purchases > 0 ? bought.reduce((sum, p) => sum + p.spendCents, 0) / purchases : 0,
    interval: intervals.length > 0 ? Math.min(...intervals) : null,
  };
}
