import { Injectable } from '@nestjs/common';
import { Association } from '@loyalty/domain';
import { EntityManager } from 'typeorm';
import { InsightLevel, InsightWindow } from './basket-counts.query';

export interface ItemPopularity {
  item: string;
  households: number;
  share: number;
}

/** The engine's item insight tables: one level replaced whole, in the caller's transaction. */
@Injectable()
export class ItemInsightQueries {
  async replace(
    m: EntityManager,
    level: InsightLevel,
    window: InsightWindow,
    seen: { baskets: number; households: number },
    associations: readonly Association[],
    popularity: readonly ItemPopularity[],
  ): Promise<void> {
    await m.query(`DELETE FROM coupons.item_associations WHERE level = $1`, [level]);
    await m.query(
      `INSERT INTO coupons.item_associations
         (level, antecedent, consequent, together, support, confidence, lift)
       SELECT $1, a.*
         FROM json_to_recordset($2::json) AS a (antecedent text, consequent text, together integer,
                                               support double precision, confidence double precision,
                                               lift double precision)`,
      [level, JSON.stringify(associations)],
    );
    await m.query(`DELETE FROM coupons.item_popularity WHERE level = $1`, [level]);
    await m.query(
      `INSERT INTO coupons.item_popularity (level, item, households, share)
       SELECT $1, p.* FROM json_to_recordset($2::json) AS p (item text, households integer, share double precision)`,
      [level, JSON.stringify(popularity)],
    );
    await m.query(
      `INSERT INTO coupons.item_insight_runs (level, window_from, window_to, baskets, households)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (level) DO UPDATE
         SET window_from = EXCLUDED.window_from, window_to = EXCLUDED.window_to,
             baskets = EXCLUDED.baskets, households = EXCLUDED.households, computed_at = now()`,
      [level, window.from, window.to, seen.baskets, seen.households],
    );
  }
}
