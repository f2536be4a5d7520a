import { Injectable } from '@nestjs/common';
import { CAP_PERIODS, CapPeriod, LimitsByRule, localDate, periodKeyOfDate } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

/** Where each rule's per-household cap counts a redemption made now: its period's key. */
export type CapPeriods = ReadonlyMap<string, string>;

/** The key of the current period of every kind of cap, as `loyalty.redemptions.cap_period` holds it. */
export function capPeriodKeys(now: Date, timeZone: string): Record<CapPeriod, string> {
  const date = localDate(now, timeZone);
  return Object.fromEntries(CAP_PERIODS.map((p) => [p, periodKeyOfDate(p, date)])) as Record<
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

/** What the live reservations of a rule (an SQL expression of its id) hold of its budget. */
const HELD_CENTS = (ruleId: string) =>
  `(SELECT coalesce(sum(discount_cents), 0) FROM loyalty.checkout_reservations
     WHERE rule_id = ${ruleId} AND expires_at > now())`;

/**
 * The SQL of the limits the checkout enforces of some rules, one row per rule, from loyalty-api's
 * own tables: each rule's current version (`loyalty.rules`, `loyalty.rule_versions`: its
 * `budgetCents` and `perHouseholdCap`), what its redemptions spent (`loyalty.rule_budgets`) and
 * live reservations hold, and the household's redemptions of it not cancelled, and its live
 * reservations, in the cap's current period (`loyalty.redemptions`,
 * `loyalty.checkout_reservations`). Its arguments are SQL expressions: the household's id, the rules' ids
 * (a set), and the JSON of `capPeriodKeys`.
 */
export function ruleLimitsSql(household: string, ruleIds: string, periodKeys: string): string {
  return `
    SELECT r.id AS rule_id, v.definition ->> 'budgetCents' AS budget_cents,
           v.definition -> 'perHouseholdCap' AS cap,
           coalesce(b.spent_cents, 0) + ${HELD_CENTS('r.id')} AS spent_cents,
           CASE WHEN jsonb_typeof(v.definition -> 'perHouseholdCap') = 'object' THEN
             (SELECT count(*)::int FROM loyalty.redemptions x
               WHERE x.shopper_id = ${household} AND x.rule_id = r.id AND x.cancelled_at IS NULL
                 AND x.cap_period = ${periodKeys} ->> (v.definition -> 'perHouseholdCap' ->> 'period'))
             + (SELECT count(*)::int FROM loyalty.checkout_reservations h
                 WHERE h.household_id = ${household} AND h.rule_id = r.id AND h.expires_at > now()
                   AND h.cap_period = ${periodKeys} ->> (v.definition -> 'perHouseholdCap' ->> 'period'))
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
   * Spends `cents` of the rule's budget, only if it holds them beside what live reservations
   * hold: of two lanes racing for its last cents one wins (true) and the other gets false. The
   * rule's budget row lock serializes the spenders and the holders (`hold`).
   */
  spend(m: EntityManager, ruleId: string, cents: number, budgetCents: number) {
    return this.take(m, ruleId, cents, budgetCents, cents);
  }

  /**
   * Whether `cents` more may be held of the rule's budget (its caller inserts the reservation in
   * the same transaction, under the row lock this takes).
   */
  hold(m: EntityManager, ruleId: string, cents: number, budgetCents: number) {
    return this.take(m, ruleId, cents, budgetCents, 0);
  }

  private async take(
    m: EntityManager,
    ruleId: string,
    cents: number,
    budgetCents: number,
    spent: number,
  ): Promise<boolean> {
    await m.query(`INSERT INTO loyalty.rule_budgets (rule_id) VALUES ($1) ON CONFLICT DO NOTHING`, [
      ruleId,
    ]);
    // The lock first, then a statement of its own: it sees every hold committed before the lock
    // was granted (a statement waiting on the row would judge the holds of its older snapshot).
    await m.query(`SELECT 1 FROM loyalty.rule_budgets WHERE rule_id = $1 FOR UPDATE`, [ruleId]);
    const taken: unknown[] = await m.query(
      `WITH taken AS (
         UPDATE loyalty.rule_budgets SET spent_cents = spent_cents + $4, updated_at = now()
          WHERE rule_id = $1 AND spent_cents + $2 + ${HELD_CENTS('$1')} <= $3 RETURNING 1
       )
       SELECT 1 FROM taken`,
      [ruleId, cents, budgetCents, spent],
    );
    return taken.length > 0;
  }
}
