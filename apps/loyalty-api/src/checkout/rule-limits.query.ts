import { Injectable } from '@nestjs/common';
import { CAP_PERIODS, CapPeriod, LimitsByRule, periodKey } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

/** Where each rule's per-household cap counts a redemption made now: its period's key. */
export type CapPeriods = ReadonlyMap<string, string>;

/** The key of the current period of every kind of cap, as `loyalty.redemptions.cap_period` holds it. */
export function capPeriodKeys(now: Date, timeZone: string): Record<CapPeriod, string> {
  return Object.fromEntries(CAP_PERIODS.map((p) => [p, periodKey(p, now, timeZone)])) as Record<
    CapPeriod,
    string
  >;
}

/** One rule's limits as `ruleLimitsSql` reads them. */
export interface RuleLimitsRow {
  rule_id: string;
  budget_cents: string | null;
  cap: { count: number; period: CapPeriod } | null;
  spent_cents: string | number | null;
  used: number | null;
}

/**
 * The SQL of the limits the checkout enforces of some rules, one row per rule, from loyalty-api's
 * own tables: each rule's current version (`loyalty.rules`, `loyalty.rule_versions`: its
 * `budgetCents` and `perHouseholdCap`), what its redemptions spent (`loyalty.rule_budgets`), and
 * the household's redemptions of it not cancelled in the cap's current period
 * (`loyalty.redemptions`). Its arguments are SQL expressions: the household's id, the rules' ids
 * (a set), and the JSON of `capPeriodKeys`.
 */
export function ruleLimitsSql(household: string, ruleIds: string, periodKeys: string): string {
  return `
    SELECT r.id AS rule_id, v.definition ->> 'budgetCents' AS budget_cents,
           v.definition -> 'perHouseholdCap' AS cap, b.spent_cents,
           CASE WHEN jsonb_typeof(v.definition -> 'perHouseholdCap') = 'object' THEN
             (SELECT count(*)::int FROM loyalty.redemptions x
               WHERE x.shopper_id = ${household} AND x.rule_id = r.id AND x.cancelled_at IS NULL
                 AND x.cap_period = ${periodKeys} ->> (v.definition -> 'perHouseholdCap' ->> 'period'))
           END AS used
      FROM loyalty.rules r
      JOIN loyalty.rule_versions v ON v.rule_id = r.id AND v.version = r.version
      LEFT JOIN loyalty.rule_budgets b ON b.rule_id = r.id
     WHERE r.id IN (${ruleIds})`;
}

/** The limits by rule, and the period each rule's cap counts a redemption made now in. */
export function toRuleLimits(
  rows: readonly RuleLimitsRow[],
  periodKeys: Record<CapPeriod, string>,
): { limits: LimitsByRule; capPeriods: CapPeriods } {
  return {
    limits: new Map(
      rows.map((r) => [
        r.rule_id,
        {
          budget:
            r.budget_cents === null
              ? null
              : { budgetCents: Number(r.budget_cents), spentCents: Number(r.spent_cents ?? 0) },
          cap: r.cap === null ? null : { count: r.cap.count, used: r.used ?? 0 },
        },
      ]),
    ),
    capPeriods: new Map(
      rows.flatMap((r) => (r.cap === null ? [] : [[r.rule_id, periodKeys[r.cap.period]]])),
    ),
  };
}

/** The rules' limits for a redemption, read in its transaction (`ruleLimitsSql`). */
@Injectable()
export class RuleLimitsQuery {
  async load(
    m: EntityManager,
    householdId: string,
    ruleIds: readonly string[],
    now: Date,
    timeZone: string,
  ): Promise<{ limits: LimitsByRule; capPeriods: CapPeriods }> {
    const periodKeys = capPeriodKeys(now, timeZone);
    const rows: RuleLimitsRow[] = await m.query(
      ruleLimitsSql('$1::uuid', 'SELECT unnest($2::uuid[])', '$3::jsonb'),
      [householdId, [...new Set(ruleIds)], JSON.stringify(periodKeys)],
    );
    return toRuleLimits(rows, periodKeys);
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
