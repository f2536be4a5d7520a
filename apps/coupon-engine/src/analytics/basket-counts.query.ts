import { Injectable } from '@nestjs/common';
import { BasketCounts, pairKey } from '@loyalty/domain';
import { EntityManager } from 'typeorm';

export type InsightLevel = 'product' | 'category';

export interface InsightWindow {
  /** First and last business date, inclusive (YYYY-MM-DD). */
  from: string;
  to: string;
}

export interface LevelCounts extends BasketCounts {
  /** Households with a sale in the window, and of them how many bought each item. */
  households: number;
  buyers: Map<string, number>;
}

/**
 * The baskets of a window, counted in PostgreSQL: pos-ingest's stored sales (`ingest.transactions`,
 * a named read listed in docs/ARCHITECTURE.md), not voided, each line's item once a basket (its
 * SKU, or its category; a line without one counts as its department). Items are counted whole;
 * pairs only among the `maxPairedItems` most frequent items found in at least `minTogether`
 * baskets, and only pairs found together that often: the work and the memory are PostgreSQL's
 * aggregation, and what reaches the job is bounded by those limits.
 */
@Injectable()
export class BasketCountsQuery {
  async count(
    m: EntityManager,
    level: InsightLevel,
    window: InsightWindow,
    limits: { minTogether: number; maxPairedItems: number },
  ): Promise<LevelCounts> {
    await m.query(`DROP TABLE IF EXISTS pg_temp.insight_baskets`);
    await m.query(
      `CREATE TEMP TABLE insight_baskets ON COMMIT DROP AS
       SELECT t.id, t.shopper_id,
              array_agg(DISTINCT CASE WHEN $1 = 'product' THEN l ->> 'sku'
                                      ELSE coalesce(l ->> 'category', 'department:' || (l ->> 'department'))
                                 END COLLATE "C") AS items
         FROM ingest.transactions t, json_array_elements(t.lines) l
        WHERE t.type = 'sale' AND NOT t.voided AND t.business_date BETWEEN $2 AND $3
        GROUP BY t.id, t.shopper_id`,
      [level, window.from, window.to],
    );
    const [totals]: { baskets: number; households: number }[] = await m.query(
      `SELECT count(*)::int AS baskets, count(DISTINCT shopper_id)::int AS households
         FROM insight_baskets`,
    );
    const itemRows: { item: string; baskets: number; buyers: number }[] = await m.query(
      `SELECT item, count(*)::int AS baskets, count(DISTINCT shopper_id)::int AS buyers
         FROM insight_baskets, unnest(items) AS item
        GROUP BY item`,
    );
    const paired = itemRows
      .filter((row) => row.baskets >= limits.minTogether)
      .sort((a, b) => b.baskets - a.baskets || (a.item < b.item ? -1 : 1))
      .slice(0, limits.maxPairedItems)
      .map((row) => row.item);
    const pairRows: { a: string; b: string; together: number }[] = paired.length
      ? await m.query(
          `WITH paired AS (SELECT unnest($1::text[]) COLLATE "C" AS item),
                baskets AS (
                  SELECT array(SELECT item FROM unnest(items) item WHERE item IN (SELECT item FROM paired)) AS items
                    FROM insight_baskets)
           SELECT a, b, count(*)::int AS together
             FROM baskets, unnest(items) a, unnest(items) b
            WHERE a < b
            GROUP BY a, b
           HAVING count(*) >= $2`,
          [paired, limits.minTogether],
        )
      : [];
    return {
      baskets: totals.baskets,
      households: totals.households,
      items: new Map(itemRows.map((row) => [row.item, row.baskets])),
      buyers: new Map(
        itemRows.filter((row) => row.buyers > 0).map((row) => [row.item, row.buyers]),
      ),
      pairs: new Map(pairRows.map(({ a, b, together }) => [pairKey(a, b), together])),
    };
  }
}
