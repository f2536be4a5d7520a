import { Injectable, Logger } from '@nestjs/common';
import { addDays, associationsOf } from '@loyalty/domain';
import { Job, JobContext, JobSchedule } from '@loyalty/platform';
import { DataSource } from 'typeorm';
import { CouponEngineConfig } from '../config';
import { BasketCountsQuery, InsightLevel, InsightWindow } from './basket-counts.query';
import { ItemInsightQueries, ItemPopularity } from './item-insight.queries';

const LEVELS: readonly InsightLevel[] = ['category', 'product'];

/** Items paired at most, the most frequent: bounds the pairs PostgreSQL counts (n² / 2). */
export const MAX_PAIRED_ITEMS = 2_000;

/** Popular items kept per level, the most bought: what the likely next purchases are filled from. */
export const POPULAR_ITEMS_KEPT = 1_000;

/** The first and last day of the `days`-day window ending on `lastDay` (YYYY-MM-DD). */
export function windowEndingOn(lastDay: string, days: number): InsightWindow {
  return { from: addDays(lastDay, -(days - 1)), to: lastDay };
}

/**
 * Every day at `INSIGHT_DAILY_AT` (programme time), what goes with what and what the population
 * buys, per level, mined from the baskets of the last `INSIGHT_WINDOW_DAYS` days up to that day:
 * counted in PostgreSQL (`BasketCountsQuery`), measured and bounded by the domain
 * (`associationsOf`: at least `INSIGHT_MIN_TOGETHER` baskets together, a lift above 1, the
 * `INSIGHT_TOP_PER_ITEM` strongest per item), and each level replaced in one transaction.
 */
@Injectable()
export class ItemInsightJob implements Job {
  readonly name = 'item-insight';
  readonly schedule: JobSchedule;
  private readonly logger = new Logger(ItemInsightJob.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly baskets: BasketCountsQuery,
    private readonly insight: ItemInsightQueries,
    private readonly config: CouponEngineConfig,
  ) {
    this.schedule = { daily: config.INSIGHT_DAILY_AT, timeZone: config.PROGRAMME_TIME_ZONE };
  }

  async run(context: JobContext): Promise<void> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(context.period))
      throw new Error(`Period ${context.period} is no date`);
    const window = windowEndingOn(context.period, this.config.INSIGHT_WINDOW_DAYS);
    const done = new Set(context.cursor ? context.cursor.split(',') : []);
    for (const level of LEVELS.filter((l) => !done.has(l))) {
      await this.dataSource.transaction(async (m) => {
        const counts = await this.baskets.count(m, level, window, {
          minTogether: this.config.INSIGHT_MIN_TOGETHER,
          maxPairedItems: MAX_PAIRED_ITEMS,
        });
        const associations = associationsOf(counts, {
          minTogether: this.config.INSIGHT_MIN_TOGETHER,
          topPerItem: this.config.INSIGHT_TOP_PER_ITEM,
        });
        const popularity: ItemPopularity[] = [...counts.buyers]
          .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
          .slice(0, POPULAR_ITEMS_KEPT)
          .map(([item, households]) => ({
            item,
            households,
            share: households / counts.households,
          }));
        await this.insight.replace(m, level, window, counts, associations, popularity);
        done.add(level);
        await context.checkpoint(m, [...done].join(','));
        this.logger.log(
          `Item insight (${level}, ${window.from}..${window.to}): ${counts.baskets} baskets, ${associations.length} associations`,
        );
      });
    }
  }
}
