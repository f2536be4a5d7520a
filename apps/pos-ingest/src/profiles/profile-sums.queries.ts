import { Injectable } from '@nestjs/common';
import { StoreSum, SumsToRecount, WeekSum } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

// The sums a household's profile is built from (`ingest.shopper_weeks`, `shopper_products`,
// `shopper_stores`) and the lifetime facts read from them (the top lists of the profile). One
// statement per step for a whole batch, whatever its size. The projector adds the week and store
// sums; the product sums and top lists are folded from its queue (`product-facts.queries.ts`).

/** A household's counted transactions: sales and returns no void cancelled, found by its cards. */
export const HOUSEHOLD_TRANSACTIONS = `
  SELECT t.id, t.shopper_id, t.store_id, t.business_date, t.type, t.total_cents, t.lines,
         CASE WHEN t.type = 'sale' THEN 1 ELSE -1 END AS direction
    FROM ingest.cards c
    JOIN ingest.transactions t ON t.card_number = c.card_number AND t.shopper_id = c.shopper_id
   WHERE c.shopper_id = ANY($1::uuid[]) AND t.type IN ('sale', 'return') AND NOT t.voided`;

/**
 * One top list of a household as a subquery of the profile's update: the first `size` rows of
 * `ranked` (name, the `fields` columns and their rank `n`; at most `size + 1` rows) and, when
 * there are more, a `rest` entry: the household's total (the `total` row) less the listed ones.
 */
function topList(ranked: string, size: number, fields: [string, string][], total: string): string {
  const entry = fields.map(([key, column]) => `'${key}', ${column}`).join(', ');
  const rest = fields
    .map(
      ([key, column]) =>
        `'${key}', ${total}.${column} - sum(${column}) FILTER (WHERE n <= ${size})`,
    )
    .join(', ');
  return `(SELECT coalesce(jsonb_agg(jsonb_build_object('name', name, ${entry}) ORDER BY n)
                             FILTER (WHERE n <= ${size}), '[]')
                 || CASE WHEN count(*) > ${size}
                         THEN jsonb_build_array(jsonb_build_object('rest', true, ${rest}))
                         ELSE '[]' END
            FROM ${ranked} entries)`;
}

/** Departments, categories or brands of the household by spend, ties by name. */
function byDimension(dimension: 'department' | 'category' | 'brand', size: number): string {
  return topList(
    `(SELECT ${dimension} AS name, sum(spend_cents) AS spend_cents, sum(units) AS units,
             row_number() OVER (ORDER BY sum(spend_cents) DESC, ${dimension}) AS n
        FROM ingest.shopper_products
       WHERE shopper_id = p.shopper_id AND ${dimension} IS NOT NULL
       GROUP BY ${dimension} ORDER BY n LIMIT ${size + 1})`,
    size,
    SPEND_AND_UNITS,
    dimension === 'department' ? 't' : `t_${dimension}`,
  );
}

const SPEND_AND_UNITS: [string, string][] = [
  ['spendCents', 'spend_cents'],
  ['units', 'units'],
];

// The lifetime top lists: departments, categories and brands (top 10) and products (top 20) by
// spend, stores (top 3) by visits, each with a `rest` entry (the household's total less the
// listed entries) when there are others. Each list reads only its household's rows (an index
// range) and sorts them in memory.
const LIFETIME_FACTS = `
  WITH totals AS (
         SELECT shopper_id, sum(spend_cents) AS spend_cents, sum(units) AS units,
                coalesce(sum(spend_cents) FILTER (WHERE category IS NOT NULL), 0) AS category_spend,
                coalesce(sum(units) FILTER (WHERE category IS NOT NULL), 0) AS category_units,
                coalesce(sum(spend_cents) FILTER (WHERE brand IS NOT NULL), 0) AS brand_spend,
                coalesce(sum(units) FILTER (WHERE brand IS NOT NULL), 0) AS brand_units
           FROM ingest.shopper_products WHERE shopper_id = ANY($1::uuid[]) GROUP BY shopper_id),
       store_totals AS (
         SELECT shopper_id, sum(visits) AS visits, sum(spend_cents) AS spend_cents
           FROM ingest.shopper_stores WHERE shopper_id = ANY($1::uuid[]) GROUP BY shopper_id)
  UPDATE ingest.shopper_profiles p
     SET top_departments = ${byDimension('department', 10)},
         top_categories = ${byDimension('category', 10)},
         top_brands = ${byDimension('brand', 10)},
         top_products = ${topList(
           `(SELECT sku AS name, spend_cents, units, row_number() OVER (ORDER BY spend_cents DESC, sku) AS n
               FROM ingest.shopper_products WHERE shopper_id = p.shopper_id ORDER BY n LIMIT 21)`,
           20,
           SPEND_AND_UNITS,
           't',
         )},
         favourite_stores = ${topList(
           `(SELECT store_id AS name, visits, spend_cents, row_number() OVER (ORDER BY visits DESC, store_id) AS n
               FROM ingest.shopper_stores WHERE shopper_id = p.shopper_id ORDER BY n LIMIT 4)`,
           3,
           [
             ['visits', 'visits'],
             ['spendCents', 'spend_cents'],
           ],
           's',
         )}
    FROM unnest($1::uuid[]) AS ids(id)
    LEFT JOIN totals t ON t.shopper_id = ids.id
    LEFT JOIN LATERAL (SELECT t.category_spend AS spend_cents, t.category_units AS units) t_category ON true
    LEFT JOIN LATERAL (SELECT t.brand_spend AS spend_cents, t.brand_units AS units) t_brand ON true
    LEFT JOIN store_totals s ON s.shopper_id = ids.id
   WHERE p.shopper_id = ids.id`;

@Injectable()
export class ProfileSumsQueries {
  /** Adds a batch's week and store sums; the last visit only widens. */
  async addSums(
    m: EntityManager,
    weeks: readonly WeekSum[],
    stores: readonly StoreSum[],
  ): Promise<void> {
    if (weeks.length + stores.length === 0) return;
    // Data-modifying CTEs all run, once each: one round trip for the two tables.
    await m.query(
      `WITH weeks AS (
         INSERT INTO ingest.shopper_weeks AS w (shopper_id, week_start, spend_cents, visits)
         SELECT * FROM json_to_recordset($1::json)
           AS e("shopperId" uuid, "weekStart" date, "spendCents" bigint, visits int)
         ON CONFLICT (shopper_id, week_start) DO UPDATE
           SET spend_cents = w.spend_cents + EXCLUDED.spend_cents, visits = w.visits + EXCLUDED.visits
       )
       INSERT INTO ingest.shopper_stores AS s (shopper_id, store_id, visits, spend_cents, last_visit_on)
       SELECT * FROM json_to_recordset($2::json)
         AS e("shopperId" uuid, "storeId" text, visits int, "spendCents" bigint, "lastVisitOn" date)
       ON CONFLICT (shopper_id, store_id) DO UPDATE
         SET visits = s.visits + EXCLUDED.visits, spend_cents = s.spend_cents + EXCLUDED.spend_cents,
             last_visit_on = greatest(s.last_visit_on, EXCLUDED.last_visit_on)`,
      [JSON.stringify(weeks), JSON.stringify(stores)],
    );
  }

  /**
   * After voids: week and store sums that came back to zero are removed (as if never counted),
   * and the last visit is recounted from the sales that stand.
   */
  async recountSums(m: EntityManager, recount: SumsToRecount): Promise<void> {
    if (recount.weeks.length + recount.stores.length === 0) return;
    await m.query(
      `WITH week_keys AS (SELECT * FROM unnest($1::uuid[], $2::date[]) AS k(shopper_id, week_start)),
            store_keys AS (SELECT DISTINCT * FROM unnest($3::uuid[], $4::text[]) AS k(shopper_id, store_id)),
       weeks_gone AS (
         DELETE FROM ingest.shopper_weeks w USING week_keys k
          WHERE w.shopper_id = k.shopper_id AND w.week_start = k.week_start AND w.spend_cents = 0 AND w.visits = 0
       ), stores_gone AS (
         DELETE FROM ingest.shopper_stores s USING store_keys k
          WHERE s.shopper_id = k.shopper_id AND s.store_id = k.store_id AND s.spend_cents = 0 AND s.visits = 0
       )
       UPDATE ingest.shopper_stores s
          SET last_visit_on = (SELECT max(t.business_date) FROM ingest.transactions t
                                WHERE t.shopper_id = s.shopper_id AND t.store_id = s.store_id
                                  AND t.type = 'sale' AND NOT t.voided)
         FROM store_keys k
        WHERE s.shopper_id = k.shopper_id AND s.store_id = k.store_id AND NOT (s.spend_cents = 0 AND s.visits = 0)`,
      [
        recount.weeks.map((k) => k.shopperId),
        recount.weeks.map((k) => k.weekStart),
        recount.stores.map((k) => k.shopperId),
        recount.stores.map((k) => k.storeId),
      ],
    );
  }

  /**
   * Rebuilds these households' sums from their transactions (after cards moved between them).
   * Their queued product effects go first: the rebuild counts every transaction as it stands, and
   * a fold that holds some of them finishes before (the delete waits for its locks).
   */
  async rebuildSums(m: EntityManager, shopperIds: readonly string[]): Promise<void> {
    await m.query(`DELETE FROM ingest.product_fact_queue WHERE shopper_id = ANY($1::uuid[])`, [
      shopperIds,
    ]);
    await m.query(
      `WITH weeks_gone AS (DELETE FROM ingest.shopper_weeks WHERE shopper_id = ANY($1::uuid[])),
            products_gone AS (DELETE FROM ingest.shopper_products WHERE shopper_id = ANY($1::uuid[]))
       DELETE FROM ingest.shopper_stores WHERE shopper_id = ANY($1::uuid[])`,
      [shopperIds],
    );
    await m.query(
      `WITH tx AS (${HOUSEHOLD_TRANSACTIONS}),
       weeks AS (
         INSERT INTO ingest.shopper_weeks (shopper_id, week_start, spend_cents, visits)
         SELECT shopper_id, date_trunc('week', business_date)::date, sum(direction * total_cents),
                count(*) FILTER (WHERE type = 'sale')
           FROM tx GROUP BY 1, 2
       ), stores AS (
         INSERT INTO ingest.shopper_stores (shopper_id, store_id, visits, spend_cents, last_visit_on)
         SELECT shopper_id, store_id, count(*) FILTER (WHERE type = 'sale'), sum(direction * total_cents),
                max(business_date) FILTER (WHERE type = 'sale')
           FROM tx GROUP BY 1, 2
       )
       INSERT INTO ingest.shopper_products (shopper_id, sku, department, category, brand, spend_cents, units,
         purchases, first_bought_on, last_bought_on)
       SELECT tx.shopper_id, l.sku,
              (array_agg(l.department ORDER BY tx.type = 'sale' DESC, tx.business_date DESC))[1],
              (array_agg(l.category ORDER BY tx.type = 'sale' DESC, tx.business_date DESC))[1],
              (array_agg(l.brand ORDER BY tx.type = 'sale' DESC, tx.business_date DESC))[1],
              sum(tx.direction * l."amountCents"), sum(tx.direction * round(l.quantity * 1000)) / 1000,
              count(DISTINCT tx.id) FILTER (WHERE tx.type = 'sale'),
              min(tx.business_date) FILTER (WHERE tx.type = 'sale'),
              max(tx.business_date) FILTER (WHERE tx.type = 'sale')
         FROM tx, json_to_recordset(tx.lines)
           AS l(sku text, department text, category text, brand text, quantity numeric, "amountCents" bigint)
        GROUP BY tx.shopper_id, l.sku`,
      [shopperIds],
    );
  }

  /** The lifetime top lists of these households' profiles, from their sums: one statement. */
  async refreshLifetimeFacts(m: EntityManager, shopperIds: readonly string[]): Promise<void> {
    if (shopperIds.length === 0) return;
    // Its cost estimate passes PostgreSQL's JIT threshold, and compiling the plan took seconds
    // for a statement that runs in tens of milliseconds.
    await m.query(`SET LOCAL jit = off`);
    await m.query(LIFETIME_FACTS, [shopperIds]);
  }
}
