import { Injectable } from '@nestjs/common';
import { Audience, OfferWithdrawalCause, TOPICS, withdrawalKind } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

/**
 * The statements that withdraw offers: each marks the offers it selects that are still out
 * (`withdrawn IS NULL`) and writes one `offer-withdrawn.v1` per offer to the outbox, in the
 * caller's transaction. An offer is withdrawn once: a rerun, a redelivered event or a racing
 * withdrawal finds it withdrawn (a row another transaction withdraws meanwhile is judged again
 * when its lock is released) and writes nothing.
 */
@Injectable()
export class OfferWithdrawalQueries {
  /**
   * Expires at most `limit` offers whose validity ended by `now`, the earliest first, each as of
   * its `valid_until`. Rows another transaction holds are skipped: the next chunk or run gets them.
   */
  expireDue(m: EntityManager, now: Date, limit: number): Promise<number> {
    return this.withdraw(
      m,
      'validity-ended',
      null,
      `SELECT id FROM coupons.offers
        WHERE withdrawn IS NULL AND valid_until <= $1
        ORDER BY valid_until LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
  }

  /**
   * Revokes the offers of `ruleIds` (every version) still valid at `now`: offers of versioned
   * rules, found by their issuance key's index (an offer of a retired v1 rule is left to expire).
   */
  revokeOfRules(m: EntityManager, ruleIds: readonly string[], now: Date): Promise<number> {
    if (ruleIds.length === 0) return Promise.resolve(0);
    return this.withdraw(
      m,
      'rule-ended',
      now,
      `SELECT id FROM coupons.offers
        WHERE rule_id = ANY($1::uuid[]) AND rule_version IS NOT NULL
          AND withdrawn IS NULL AND valid_until > $2`,
      [ruleIds, now],
    );
  }

  /**
   * The offers of `householdIds` still out and valid at `now`, with the audience of the rule
   * version each came from (offers of retired v1 rules have none and are left to expire).
   */
  async validOffersOf(
    m: EntityManager,
    householdIds: readonly string[],
    now: Date,
  ): Promise<{ id: string; audience: Audience }[]> {
    if (householdIds.length === 0) return [];
    return m.query(
      `SELECT o.id, v.definition -> 'audience' AS audience
         FROM coupons.offers o
         JOIN coupons.rule_versions v ON v.rule_id = o.rule_id AND v.version = o.rule_version
        WHERE o.shopper_id = ANY($1::uuid[]) AND o.withdrawn IS NULL AND o.valid_until > $2`,
      [householdIds, now],
    );
  }

  /** Revokes the offers `offerIds` for `cause` at `now`. */
  revoke(
    m: EntityManager,
    offerIds: readonly string[],
    cause: OfferWithdrawalCause,
    now: Date,
  ): Promise<number> {
    if (offerIds.length === 0) return Promise.resolve(0);
    return this.withdraw(m, cause, now, `SELECT unnest($1::uuid[])`, [offerIds]);
  }

  /**
   * Withdraws the offers `selected` (a query of ids over `params`) for `cause`, at `at` (null:
   * at the end of each one's validity), and writes their events to the outbox in household order.
   */
  private async withdraw(
    m: EntityManager,
    cause: OfferWithdrawalCause,
    at: Date | null,
    selected: string,
    params: unknown[],
  ): Promise<number> {
    const n = params.length;
    const [{ withdrawn }]: { withdrawn: number }[] = await m.query(
      `WITH withdrawn AS (
         UPDATE coupons.offers o
            SET withdrawn = $${n + 1}, withdrawn_at = coalesce($${n + 3}::timestamptz, o.valid_until)
          WHERE o.id IN (${selected}) AND o.withdrawn IS NULL
         RETURNING o.id, o.shopper_id, o.rule_id, o.rule_version, o.withdrawn_at
       ), outbox AS (
         INSERT INTO coupons.outbox (topic, key, payload)
         SELECT $${n + 4}::text, w.shopper_id::text,
                jsonb_build_object('offerId', w.id, 'householdId', w.shopper_id,
                  'ruleId', w.rule_id, 'ruleVersion', w.rule_version, 'kind', $${n + 1}::text,
                  'cause', $${n + 2}::text,
                  'withdrawnAt', to_char(w.withdrawn_at AT TIME ZONE 'UTC',
                                         'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
           FROM withdrawn w
          ORDER BY w.shopper_id, w.id
         RETURNING 1
       )
       SELECT count(*)::integer AS withdrawn FROM outbox`,
      [...params, withdrawalKind(cause), cause, at, TOPICS.offerWithdrawn],
    );
    return withdrawn;
  }
}
