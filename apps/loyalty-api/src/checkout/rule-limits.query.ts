import { Injectable } from '@nestjs/common';
import { CapPeriod, LimitsByRule, RuleLimits, periodKey } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

/** Where each rule's per-household cap counts a redemption made now: its period's key. */
export type CapPeriods = ReadonlyMap<string, string>;

/**
 * The limits the checkout enforces of the rules of a household's offers, from loyalty-api's own
 * tables: each rule's current version (`loyalty.rules`, `loyalty.rule_versions`: its
 * `budgetCents` and `perHouseholdCap`), what its redemptions spent (`loyalty.rule_budgets`), and
 * the household's redemptions of it in the cap's current period (`loyalty.redemptions`, those
 * not cancelled).
 */
@Injectable()
export class RuleLimitsQuery {
  async load(
    m: EntityManager,
    householdId: string,
    ruleIds: readonly string[],
    now: Date,
    timeZone: string,
  ): Promise<{ limits: LimitsByRule; capPeriods: CapPeriods }> {
    const rules: {
      rule_id: string;
      budget_cents: string | null;
      cap: { count: number; period: CapPeriod } | null;
      spent_cents: string | null;
    }[] = await m.query(
      `SELECT r.id AS rule_id, v.definition ->> 'budgetCents' AS budget_cents,
              v.definition -> 'perHouseholdCap' AS cap, b.spent_cents
         FROM loyalty.rules r
         JOIN loyalty.rule_versions v ON v.rule_id = r.id AND v.version = r.version
         LEFT JOIN loyalty.rule_budgets b ON b.rule_id = r.id
        WHERE r.id = ANY($1::uuid[])`,
      [[...new Set(ruleIds)]],
    );
    const capPeriods = new Map(
      rules
        .filter((r) => r.cap !== null)
        .map((r) => [r.rule_id, periodKey(r.cap?.period as CapPeriod, now, timeZone)]),
    );
    const used: { rule_id: string; used: number }[] =
      capPeriods.size === 0
        ? []
        : await m.query(
            `SELECT rule_id, count(*)::int AS used FROM loyalty.redemptions
              WHERE shopper_id = $1 AND cancelled_at IS NULL
                AND (rule_id, cap_period) IN (SELECT * FROM unnest($2::uuid[], $3::text[]))
              GROUP BY rule_id`,
            [householdId, [...capPeriods.keys()], [...capPeriods.values()]],
          );
    const usedBy = new Map(used.map((u) => [u.rule_id, u.used]));
    const limits = new Map<string, RuleLimits>(
      rules.map((r) => [
        r.rule_id,
        {
          budget:
            r.budget_cents === null
              ? null
              : { budgetCents: Number(r.budget_cents), spentCents: Number(r.spent_cents ?? 0) },
          cap: r.cap === null ? null : { count: r.cap.count, used: usedBy.get(r.rule_id) ?? 0 },
        },
      ]),
    );
    return { limits, capPeriods };
  }

  /**
   * Spends `cents` of the rule's budget, only if it holds them: of two lanes racing for its last
   * cents one wins (true) and the other gets false. The row lock serializes the spenders.
   */
  async spend(m: EntityManager, ruleId: string, cents: number, budgetCents: number) {
    await m.query(`INSERT INTO loyalty.rule_budgets (rule_id) VALUES ($1) ON CONFLICT DO NOTHING`, [
      ruleId,
    ]);
    const spent: unknown[] = await m.query(
      `WITH spent AS (
         UPDATE loyalty.rule_budgets SET spent_cents = spent_cents + $2, updated_at = now()
          WHERE rule_id = $1 AND spent_cents + $2 <= $3 RETURNING 1
       )
       SELECT 1 FROM spent`,
      [ruleId, cents, budgetCents],
    );
    return spent.length > 0;
  }
}
