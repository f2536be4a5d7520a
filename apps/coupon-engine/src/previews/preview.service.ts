import { Injectable, NotFoundException } from '@nestjs/common';
import {
  ReasonTree,
  Reward,
  RewardTarget,
  Rule,
  audienceReads,
  evaluateAudience,
  heldOutBound,
  isHeldOut,
  localDate,
} from '@loyalty/domain';
import { DataSource } from 'typeorm';
import { AudienceFactsQuery } from '../audiences/audience-facts.query';
import { compileAudience, itemMatches } from '../audiences/compile-audience';
import { CouponEngineConfig } from '../config';

export interface Preview {
  ruleId: string;
  version: number;
  asOf: string;
  audienceSize: number;
  controlGroupSize: number;
  sample: { householdId: string; heldOut: boolean; reason: ReasonTree }[];
  forecast: { expectedRedemptions: number; expectedDiscountCents: number | null };
}

/**
 * What a rule's current version would do today, from the engine's copy of the household facts:
 * the audience, its control group, a sample with the facts that matched (household ids only, no
 * identity), and a forecast from the treated households' past purchases (see docs/COUPONS.md):
 * a household redeems with the chance of buying the target within the offer's validity (its
 * validity over the household's interval between purchases of it: the item's repeat interval,
 * or the household's cadence for the basket; never for an item it never bought), and saves what
 * the reward gives on what it spends on the target per purchase.
 */
@Injectable()
export class PreviewService {
  private readonly timeZone: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly audienceFacts: AudienceFactsQuery,
    config: CouponEngineConfig,
  ) {
    this.timeZone = config.PROGRAMME_TIME_ZONE;
  }

  async preview(ruleId: string, sampleSize: number, now: Date): Promise<Preview> {
    const [current]: { version: number; definition: Rule }[] = await this.dataSource.query(
      `SELECT s.version, v.definition FROM coupons.rule_states s
         JOIN coupons.rule_versions v USING (rule_id, version)
        WHERE s.rule_id = $1`,
      [ruleId],
    );
    if (!current) throw new NotFoundException({ code: 'RULE_NOT_FOUND', message: 'No such rule' });
    const rule = current.definition;
    const asOf = localDate(now, this.timeZone);
    const { where, params } = compileAudience(rule.audience, asOf, 3);
    const bind = [...params];
    const param = (value: unknown, type: string) => {
      bind.push(value);
      return `$${bind.length + 2}::${type}`;
    };
    const { spend, interval } = perPurchase(rule.reward.target, param);
    const saving = savingSql(rule.reward, 'h.spend', param);
    const days = param(rule.offerValidDays, 'numeric');
    const minBasket = param(rule.reward.minBasketCents ?? 0, 'numeric');
    const [totals]: Record<string, string | null>[] = await this.dataSource.transaction(
      async (m) => {
        // The planner's estimates over the audience's subqueries would start JIT compilation.
        await m.query(`SET LOCAL jit = off`);
        return m.query(
          `WITH audience AS (
         SELECT f.*, substr(encode(sha256(convert_to($1 || ':' || f.household_id::text, 'UTF8')), 'hex'), 1, 16) < $2
                  AS held_out
           FROM coupons.household_facts f WHERE ${where}
       ), households AS (
         SELECT t.household_id, b.spend, b.interval,
                coalesce(t.average_basket_52w_cents, 0) >= ${minBasket} AS basket_reached
           FROM audience t
           CROSS JOIN LATERAL (SELECT ${spend} AS spend, ${interval} AS interval) b
          WHERE NOT t.held_out
       ), h AS (
         SELECT spend, CASE WHEN basket_reached AND spend > 0 AND interval > 0
                            THEN least(1, ${days} / interval) ELSE 0 END AS chance
           FROM households
       )
       SELECT (SELECT count(*) FROM audience) AS audience,
              (SELECT count(*) FILTER (WHERE held_out) FROM audience) AS held_out,
              (SELECT coalesce(sum(chance), 0) FROM h) AS redemptions,
              (SELECT coalesce(sum(chance * ${saving ?? '0'}), 0) FROM h) AS discount`,
          [rule.id, heldOutBound(rule.controlShare), ...bind],
        );
      },
    );
    const sample = compileAudience(rule.audience, asOf);
    const sampled: { household_id: string }[] = await this.dataSource.query(
      `SELECT household_id FROM coupons.household_facts f WHERE ${sample.where}
        ORDER BY household_id LIMIT $${sample.params.length + 1}`,
      [...sample.params, sampleSize],
    );
    const facts = await this.audienceFacts.load(
      this.dataSource.manager,
      sampled.map((row) => row.household_id),
      audienceReads(rule.audience),
      asOf,
    );
    return {
      ruleId,
      version: current.version,
      asOf,
      audienceSize: Number(totals.audience),
      controlGroupSize: Number(totals.held_out),
      sample: [...facts].map(([householdId, household]) => ({
        householdId,
        heldOut: isHeldOut(householdId, rule.id, rule.controlShare),
        reason: evaluateAudience(rule.audience, household, asOf),
      })),
      forecast: {
        expectedRedemptions: Math.round(Number(totals.redemptions)),
        expectedDiscountCents: saving === null ? null : Math.round(Number(totals.discount)),
      },
    };
  }
}

/**
 * What a treated household `t` spends on the target per purchase of it, and the days between its
 * purchases of it: the basket's average and the household's cadence, or the item's lifetime spend
 * per purchase and repeat interval (pos-ingest's product sums, a named read).
 */
function perPurchase(
  target: RewardTarget,
  param: (value: unknown, type: string) => string,
): { spend: string; interval: string } {
  if ('basket' in target)
    return {
      spend: 'coalesce(t.average_basket_52w_cents, 0)',
      interval: `coalesce(t.cadence_days, CASE WHEN t.visits_13w > 0 THEN 91.0 / t.visits_13w END)`,
    };
  const item = `FROM ingest.shopper_products p WHERE p.shopper_id = t.household_id AND ${itemMatches(target, param)}`;
  return {
    spend: `(SELECT coalesce(sum(p.spend_cents)::numeric / nullif(sum(p.purchases), 0), 0) ${item})`,
    interval: `(SELECT min(p.repeat_interval_days) ${item})`,
  };
}

/** SQL for what the reward saves on `spend` cents; null where it gives no money off. */
function savingSql(
  reward: Reward,
  spend: string,
  param: (value: unknown, type: string) => string,
): string | null {
  const cap = (sql: string) =>
    reward.maxDiscountCents === undefined
      ? sql
      : `least(${sql}, ${param(reward.maxDiscountCents, 'numeric')})`;
  switch (reward.kind) {
    case 'percentOff':
      return cap(`${spend} * ${param(reward.percent, 'numeric')} / 100`);
    case 'amountOff':
      return cap(`least(${spend}, ${param(reward.amountCents, 'numeric')})`);
    default:
      return null;
  }
}
