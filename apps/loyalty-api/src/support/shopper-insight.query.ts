import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** How long the population's category popularity is kept in memory: it changes once a day. */
const POPULARITY_TTL_MS = 5 * 60_000;

/**
 * The population's category popularity for the screen pop's likely next purchases, from
 * coupon-engine's item insight (`coupons.item_popularity`), off the lane's path; a household's
 * own histories and associations come with the screen pop's read (`ScreenPopQuery`).
 */
@Injectable()
export class ShopperInsightQuery {
  private popular: { at: number; shares: Map<string, number> } | null = null;

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
}
