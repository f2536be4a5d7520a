import { Injectable } from '@nestjs/common';
import {
  IssuanceDecision,
  OfferIssuedV2,
  Rule,
  TOPICS,
  AudienceReads,
  audienceReads,
  decideIssuance,
  issuanceKey,
  localDate,
} from '@loyalty/domain';
import { Outbox } from '@loyalty/kafka';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AudienceFactsQuery } from '../audiences/audience-facts.query';
import { CouponEngineConfig } from '../config';
import { LiveRule, LiveRulesQuery } from '../rules/live-rules.query';
import { generateOfferCode } from './offer-code';

type Decision = IssuanceDecision & { rule: Rule };

/**
 * Issues the offers of the rules triggered by a profile change to the households whose facts
 * changed: one offer per rule version, household and period (`coupons.offers`' issuance key),
 * whatever redeliveries or overlapping runs do; a household of a rule's control group is recorded
 * in `coupons.holdouts` with the reason instead. Each new offer reaches loyalty-api's wallet as
 * `coupon-engine.offer-issued.v2`, through the outbox in the same transaction.
 */
@Injectable()
export class IssuanceService {
  private readonly timeZone: string;
  private readonly perWeek: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly liveRules: LiveRulesQuery,
    private readonly audienceFacts: AudienceFactsQuery,
    private readonly outbox: Outbox,
    config: CouponEngineConfig,
  ) {
    this.timeZone = config.PROGRAMME_TIME_ZONE;
    this.perWeek = config.OFFERS_PER_HOUSEHOLD_PER_WEEK;
  }

  /** The number of offers issued. */
  async issueOnProfileChange(householdIds: readonly string[], now: Date): Promise<number> {
    if (householdIds.length === 0) return 0;
    return this.dataSource.transaction(async (m) => {
      const live = await this.liveRules.find(m, now, ['profileChange']);
      if (live.length === 0) return 0;
      const asOf = localDate(now, this.timeZone);
      const facts = await this.audienceFacts.load(m, householdIds, readsOf(live), asOf);
      const { recent, issued } = await this.offersOf(m, [...facts.keys()], live, now);
      const decisions: Decision[] = [...facts].flatMap(([householdId, householdFacts]) =>
        decideIssuance(
          live,
          householdId,
          householdFacts,
          now,
          this.timeZone,
          {
            perWeek: this.perWeek,
            issuedThisWeek: recent.get(householdId) ?? 0,
          },
          issued.get(householdId),
        ).map((decision) => ({
          ...decision,
          rule: (live.find((l) => l.rule.id === decision.ruleId) as LiveRule).rule,
        })),
      );
      await this.recordHoldouts(
        m,
        decisions.filter((d) => d.heldOut),
        now,
      );
      const offers = await this.withinIssueLimits(
        m,
        decisions.filter((d) => !d.heldOut),
      );
      return this.issue(m, offers, now);
    });
  }

  /**
   * Per household: how many offers it got in the 7 days before `now`, and the issuance keys of
   * those it already holds from the live rules (not decided again).
   */
  private async offersOf(
    m: EntityManager,
    householdIds: readonly string[],
    live: readonly LiveRule[],
    now: Date,
  ) {
    const rows: {
      shopper_id: string;
      rule_id: string;
      rule_version: number | null;
      period_key: string | null;
      recent: boolean;
    }[] = await m.query(
      `SELECT shopper_id, rule_id, rule_version, period_key,
              issued_at > $3::timestamptz - interval '7 days' AS recent
         FROM coupons.offers
        WHERE shopper_id = ANY($1::uuid[])
          AND (rule_id = ANY($2::uuid[]) OR issued_at > $3::timestamptz - interval '7 days')`,
      [householdIds, live.map((l) => l.rule.id), now],
    );
    const recent = new Map<string, number>();
    const issued = new Map<string, Set<string>>();
    for (const row of rows) {
      if (row.recent) recent.set(row.shopper_id, (recent.get(row.shopper_id) ?? 0) + 1);
      if (row.rule_version === null || row.period_key === null) continue;
      const keys = issued.get(row.shopper_id) ?? new Set<string>();
      issued.set(
        row.shopper_id,
        keys.add(issuanceKey(row.rule_id, row.rule_version, row.period_key)),
      );
    }
    return { recent, issued };
  }

  private async recordHoldouts(m: EntityManager, held: readonly Decision[], now: Date) {
    if (held.length === 0) return;
    await m.query(
      `INSERT INTO coupons.holdouts (rule_id, rule_version, household_id, period_key, reason, decided_at)
       SELECT "ruleId", "ruleVersion", "householdId", "periodKey", reason, $2
         FROM jsonb_to_recordset($1::jsonb)
           AS d("ruleId" uuid, "ruleVersion" int, "householdId" uuid, "periodKey" text, reason jsonb)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(held), now],
    );
  }

  /**
   * Leaves out what a rule's `maxOffersIssued` no longer allows: the rules concerned are locked
   * (their state rows), so racing issuers count one after the other.
   */
  private async withinIssueLimits(m: EntityManager, decisions: Decision[]): Promise<Decision[]> {
    const limited = [
      ...new Set(
        decisions.filter((d) => d.rule.maxOffersIssued !== undefined).map((d) => d.ruleId),
      ),
    ];
    if (limited.length === 0) return decisions;
    await m.query(
      `SELECT FROM coupons.rule_states WHERE rule_id = ANY($1::uuid[]) ORDER BY rule_id FOR UPDATE`,
      [limited],
    );
    const counts: { rule_id: string; issued: number }[] = await m.query(
      `SELECT rule_id, count(*)::int AS issued FROM coupons.offers
        WHERE rule_id = ANY($1::uuid[]) GROUP BY rule_id`,
      [limited],
    );
    const remaining = new Map<string, number>();
    for (const d of decisions)
      if (d.rule.maxOffersIssued !== undefined) remaining.set(d.ruleId, d.rule.maxOffersIssued);
    for (const { rule_id, issued } of counts)
      remaining.set(rule_id, (remaining.get(rule_id) as number) - issued);
    return decisions.filter((d) => {
      const left = remaining.get(d.ruleId);
      if (left === undefined) return true;
      remaining.set(d.ruleId, left - 1);
      return left > 0;
    });
  }

  private async issue(m: EntityManager, decisions: readonly Decision[], now: Date) {
    if (decisions.length === 0) return 0;
    const offers: OfferIssuedV2[] = decisions.map((d) => ({
      offerId: randomUUID(),
      code: generateOfferCode(),
      householdId: d.householdId,
      ruleId: d.ruleId,
      ruleVersion: d.ruleVersion,
      reward: d.rule.reward,
      validFrom: d.validFrom,
      validUntil: d.validUntil,
      issuedAt: now.toISOString(),
      terms: {
        usesPerOffer: d.rule.usesPerOffer,
        stores: d.rule.stores ?? null,
        priority: d.rule.priority,
        stacking: d.rule.stacking,
        stackingGroup: d.rule.stackingGroup ?? null,
        budgetCents: d.rule.budgetCents ?? null,
        clipRequired: d.rule.clipRequired ?? false,
      },
      reason: d.reason,
      ...(d.ranking ? { ranking: d.ranking } : {}),
    }));
    const periods = new Map(decisions.map((d, i) => [offers[i].offerId, d.periodKey]));
    // An offer already issued for its rule version, household and period conflicts: not again.
    const inserted: { id: string }[] = await m.query(
      `INSERT INTO coupons.offers (id, code, shopper_id, rule_id, rule_version, period_key, reward,
                                   valid_from, valid_until, reason, ranking, issued_at)
       SELECT "offerId", code, "householdId", "ruleId", "ruleVersion", "periodKey", reward,
              "validFrom", "validUntil", reason, ranking, "issuedAt"
         FROM jsonb_to_recordset($1::jsonb)
           AS o("offerId" uuid, code text, "householdId" uuid, "ruleId" uuid, "ruleVersion" int,
                "periodKey" text, reward jsonb, "validFrom" timestamptz, "validUntil" timestamptz,
                reason jsonb, ranking jsonb, "issuedAt" timestamptz)
       ON CONFLICT (rule_id, rule_version, shopper_id, period_key) WHERE rule_version IS NOT NULL
       DO NOTHING
       RETURNING id`,
      [JSON.stringify(offers.map((o) => ({ ...o, periodKey: periods.get(o.offerId) })))],
    );
    const fresh = new Set(inserted.map((row) => row.id));
    await this.outbox.append(
      m,
      offers
        .filter((o) => fresh.has(o.offerId))
        .map((o) => ({ topic: TOPICS.offerIssuedV2, key: o.householdId, value: o })),
    );
    return fresh.size;
  }
}

function readsOf(live: readonly LiveRule[]): AudienceReads {
  const reads = live.map((l) => audienceReads(l.rule.audience));
  return {
    products: reads.some((r) => r.products),
    listIds: [...new Set(reads.flatMap((r) => r.listIds))],
    crossSell: [...new Set(reads.flatMap((r) => r.crossSell))],
  };
}
