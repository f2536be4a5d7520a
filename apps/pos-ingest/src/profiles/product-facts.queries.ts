import { Injectable } from '@nestjs/common';
import { ProductFactEffect } from '@loyalty/domain';
import { EntityManager } from 'typeorm';
import { ProfileSumsQueries } from './profile-sums.queries';

/** What one fold did: queue rows taken (0 when the queue was empty) and households refreshed. */
export interface FoldOutcome {
  taken: number;
  households: number;
}

// A queued effect's lines, signed: +1 for a sale's line counted, -1 for a return's (and the
// opposite when the effect is a void). The household is the transaction's now.
const EFFECT_LINES = `
  SELECT t.shopper_id, e.n, e.sign, t.type, t.business_date, t.voided,
         e.sign * CASE WHEN t.type = 'sale' THEN 1 ELSE -1 END AS direction,
         l.sku, l.department, l.category, l.brand, l.quantity, l."amountCents"
    FROM unnest($1::uuid[], $2::smallint[]) WITH ORDINALITY AS e(transaction_id, sign, n)
    JOIN ingest.transactions t ON t.id = e.transaction_id,
         json_to_recordset(t.lines)
           AS l(sku text, department text, category text, brand text, quantity numeric, "amountCents" bigint)
   WHERE t.type IN ('sale', 'return') AND t.shopper_id IS NOT NULL`;

/**
 * The product sums (`ingest.shopper_products`) and the lifetime top lists read from them, kept
 * off the projector's path: the projector queues one row per counted or uncounted transaction,
 * and the fold adds a chunk of the queue set-based, once per household and SKU.
 */
@Injectable()
export class ProductFactsQueries {
  constructor(private readonly sums: ProfileSumsQueries) {}

  /** Queues a batch's effects on the product sums: one statement. */
  async queue(m: EntityManager, effects: readonly ProductFactEffect[]): Promise<void> {
    if (effects.length === 0) return;
    await m.query(
      `INSERT INTO ingest.product_fact_queue (shopper_id, store_id, pos_transaction_id, sign)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::smallint[])`,
      [
        effects.map((e) => e.shopperId),
        effects.map((e) => e.storeId),
        effects.map((e) => e.posTransactionId),
        effects.map((e) => e.sign),
      ],
    );
  }

  /**
   * Folds up to `limit` queued effects, oldest first (or those of some households), in `m`'s
   * transaction: the rows are taken
   * (locked, skipping rows another fold holds, and deleted), so a fold that fails leaves them
   * queued and two folds never take the same row. The chunk's households are locked in id order
   * (folds and the projector then touch a household one at a time), their product sums added,
   * first and last bought recounted where an effect took a sale back, and their top lists
   * recomputed.
   */
  async fold(
    m: EntityManager,
    which: { limit: number } | { householdIds: readonly string[] },
  ): Promise<FoldOutcome> {
    // The oldest `limit` rows, or those of these households (right after their batch).
    const [chosen, param] =
      'limit' in which
        ? ['TRUE ORDER BY id LIMIT $1', which.limit]
        : ['shopper_id = ANY($1::uuid[]) ORDER BY id', which.householdIds];
    const taken: { transaction_id: string | null; shopper_id: string | null; sign: number }[] =
      await m.query(
        `WITH taken AS (
           DELETE FROM ingest.product_fact_queue
            WHERE id IN (SELECT id FROM ingest.product_fact_queue WHERE ${chosen} FOR UPDATE SKIP LOCKED)
           RETURNING id, store_id, pos_transaction_id, sign)
         SELECT t.id AS transaction_id, t.shopper_id, taken.sign
           FROM taken
           LEFT JOIN ingest.transactions t
             ON t.store_id = taken.store_id AND t.pos_transaction_id = taken.pos_transaction_id
          ORDER BY taken.id`,
        [param],
      );
    // A transaction erased since it was queued has no household any more: nothing to fold.
    const effects = taken.filter((e) => e.transaction_id !== null && e.shopper_id !== null);
    const shopperIds = [...new Set(effects.map((e) => e.shopper_id as string))].sort();
    if (shopperIds.length === 0) return { taken: taken.length, households: 0 };
    await m.query(
      `SELECT 1 FROM ingest.shopper_profiles WHERE shopper_id = ANY($1::uuid[])
        ORDER BY shopper_id FOR UPDATE`,
      [shopperIds],
    );
    const params = [effects.map((e) => e.transaction_id), effects.map((e) => e.sign)];
    // The plans' estimates of the lines' rows set off JIT, which costs more than the statement.
    await m.query(`SET LOCAL jit = off`);
    await m.query(
      `WITH lines AS (${EFFECT_LINES}),
       sums AS (
         SELECT shopper_id, sku,
                -- The latest sale that counts tells what the SKU is now.
                (array_agg(department ORDER BY sign = 1 AND type = 'sale' DESC, business_date DESC, n))[1] AS department,
                (array_agg(category ORDER BY sign = 1 AND type = 'sale' DESC, business_date DESC, n))[1] AS category,
                (array_agg(brand ORDER BY sign = 1 AND type = 'sale' DESC, business_date DESC, n))[1] AS brand,
                sum(direction * "amountCents") AS spend_cents,
                sum(direction * round(quantity * 1000)) / 1000 AS units,
                -- A SKU on two lines of one sale is one purchase.
                count(DISTINCT n) FILTER (WHERE type = 'sale' AND sign = 1)
                  - count(DISTINCT n) FILTER (WHERE type = 'sale' AND sign = -1) AS purchases,
                -- Only a sale that stands widens the dates; one voided since is recounted.
                min(business_date) FILTER (WHERE type = 'sale' AND sign = 1 AND NOT voided) AS first_bought_on,
                max(business_date) FILTER (WHERE type = 'sale' AND sign = 1 AND NOT voided) AS last_bought_on
           FROM lines GROUP BY shopper_id, sku)
       INSERT INTO ingest.shopper_products AS p (shopper_id, sku, department, category, brand, spend_cents, units,
         purchases, first_bought_on, last_bought_on)
       SELECT shopper_id, sku, department, category, brand, spend_cents, units, purchases, first_bought_on,
              last_bought_on
         FROM sums
       ON CONFLICT (shopper_id, sku) DO UPDATE
         SET spend_cents = p.spend_cents + EXCLUDED.spend_cents, units = p.units + EXCLUDED.units,
             purchases = p.purchases + EXCLUDED.purchases,
             first_bought_on = least(p.first_bought_on, EXCLUDED.first_bought_on),
             last_bought_on = greatest(p.last_bought_on, EXCLUDED.last_bought_on),
             department = CASE WHEN EXCLUDED.last_bought_on > coalesce(p.last_bought_on, '-infinity')
                               THEN EXCLUDED.department ELSE p.department END,
             category = CASE WHEN EXCLUDED.last_bought_on > coalesce(p.last_bought_on, '-infinity')
                             THEN EXCLUDED.category ELSE p.category END,
             brand = CASE WHEN EXCLUDED.last_bought_on > coalesce(p.last_bought_on, '-infinity')
                          THEN EXCLUDED.brand ELSE p.brand END`,
      params,
    );
    if (effects.some((e) => e.sign < 0)) {
      // After a void: sums that came back to zero go (as if never counted), and first and last
      // bought are recounted from the sales that stand.
      await m.query(
        `WITH keys AS (SELECT DISTINCT shopper_id, sku FROM (${EFFECT_LINES}) l WHERE sign = -1),
         gone AS (
           DELETE FROM ingest.shopper_products p USING keys k
            WHERE p.shopper_id = k.shopper_id AND p.sku = k.sku
              AND p.spend_cents = 0 AND p.units = 0 AND p.purchases = 0
         ), dates AS (
           SELECT t.shopper_id, l.sku, min(t.business_date) AS first, max(t.business_date) AS last
             FROM ingest.transactions t, json_to_recordset(t.lines) AS l(sku text)
            WHERE t.shopper_id IN (SELECT shopper_id FROM keys) AND t.type = 'sale' AND NOT t.voided
            GROUP BY t.shopper_id, l.sku
         )
         UPDATE ingest.shopper_products p SET first_bought_on = d.first, last_bought_on = d.last
           FROM keys k LEFT JOIN dates d ON d.shopper_id = k.shopper_id AND d.sku = k.sku
          WHERE p.shopper_id = k.shopper_id AND p.sku = k.sku
            AND NOT (p.spend_cents = 0 AND p.units = 0 AND p.purchases = 0)`,
        params,
      );
    }
    await this.sums.refreshLifetimeFacts(m, shopperIds);
    return { taken: taken.length, households: shopperIds.length };
  }

  /** Drops what is queued for these households (their sums are rebuilt, or erased). */
  async forget(m: EntityManager, shopperIds: readonly string[]): Promise<void> {
    await m.query(`DELETE FROM ingest.product_fact_queue WHERE shopper_id = ANY($1::uuid[])`, [
      shopperIds,
    ]);
  }
}
