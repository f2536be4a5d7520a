import { Association, ItemHistory } from '@loyalty/domain';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);

/** How long the population's category popularity is kept in memory: it changes once a day. */
const POPULARITY_TTL_MS = 5 * 60_000;

/**
 * loyalty-api's reads for the screen pop's insight, off the lane's path: a household's product
 * histories rolled up to their categories, from pos-ingest's product sums
 * (`ingest.shopper_products`), and the population's category popularity and associations, from
 * coupon-engine's item insight (`coupons.item_popularity`, `coupons.item_associations`).
 */
@Injectable()
export class ShopperInsightQuery {
  private popular: { at: number; shares: Map<string, number> } | null = null;

  /**
   * The categories the households bought (a product without one counts as its department): its
   * products' purchases summed, the first and last day of any (`rollUpHistories` in SQL).
   */
  async categoryHistories(
    m: EntityManager,
    householdIds: readonly string[],
  ): Promise<ItemHistory[]> {
    const rows: { item: string; purchases: string; first: string; last: string }[] = await m.query(
      `SELECT coalesce(category, 'department:' || department) AS item, sum(purchases) AS purchases,
                to_char(min(first_bought_on), 'YYYY-MM-DD') AS first,
                to_char(max(last_bought_on), 'YYYY-MM-DD') AS last
           FROM ingest.shopper_products
          WHERE shopper_id = ANY($1::uuid[]) AND purchases > 0 AND last_bought_on IS NOT NULL
          GROUP BY 1`,
      [householdIds],
    );
    return rows.map((row) => ({
      item: row.item,
      purchases: Number(row.purchases),
      firstDay: dayNumber(row.first),
      lastDay: dayNumber(row.last),
    }));
  }

  /** Each category's share of households, as the engine's last run counted it. */
  async categoryPopularity(m: EntityManager, now: Date): Promise<Map<string, number>> {
    if (this.popular && now.getTime() - this.popular.at < POPULARITY_TTL_MS)
      return this.popular.shares;
    const rows: { item: string; share: number }[] = await m.query(
      `SELECT item, share FROM coupons.item_popularity WHERE level = 'category'`,
    );
    this.popular = { at: now.getTime(), shares: new Map(rows.map((r) => [r.item, r.share])) };
    return this.popular.shares;
  }

  /** The associations of these categories, strongest first per category. */
  async categoryAssociations(
    m: EntityManager,
    categories: readonly string[],
  ): Promise<Map<string, Association[]>> {
    const rows: Association[] = await m.query(
      `SELECT antecedent, consequent, together, support, confidence, lift
         FROM coupons.item_associations
        WHERE level = 'category' AND antecedent = ANY($1::text[])
        ORDER BY antecedent, lift DESC, confidence DESC, consequent`,
      [categories],
    );
    const byAntecedent = new Map<string, Association[]>();
    for (const row of rows)
      byAntecedent.set(row.antecedent, [...(byAntecedent.get(row.antecedent) ?? []), row]);
    return byAntecedent;
  }
}
