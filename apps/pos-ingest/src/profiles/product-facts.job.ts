import { Injectable, Logger } from '@nestjs/common';
import { Job, JobContext, JobSchedule } from '@loyalty/platform';
import { DataSource } from 'typeorm';
import { PosIngestConfig } from '../config';
import { ProductFactsQueries } from './product-facts.queries';

/**
 * Folds the queue of the projector's effects on the product sums into `ingest.shopper_products`
 * and the lifetime top lists, every few minutes: chunk after chunk, each in one transaction,
 * until the queue is empty.
 */
@Injectable()
export class ProductFactsJob implements Job {
  readonly name = 'product-facts';
  readonly schedule: JobSchedule;
  private readonly logger = new Logger(ProductFactsJob.name);
  private readonly chunk: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: ProductFactsQueries,
    config: PosIngestConfig,
  ) {
    this.schedule = { everyMinutes: config.PRODUCT_FACTS_EVERY_MINUTES };
    this.chunk = config.PRODUCT_FACTS_CHUNK;
  }

  async run(context: JobContext): Promise<void> {
    let taken = 0;
    let households = 0;
    for (;;) {
      const outcome = await this.dataSource.transaction(async (m) => {
        const folded = await this.queries.fold(m, { limit: this.chunk });
        // Renews the lease with the chunk, and ends the run here when the process stops.
        if (folded.taken > 0) await context.checkpoint(m, `folded:${taken + folded.taken}`);
        return folded;
      });
      if (outcome.taken === 0) break;
      taken += outcome.taken;
      households += outcome.households;
    }
    if (taken > 0)
      this.logger.log(`Product facts: ${taken} queued effects folded for ${households} households`);
  }
}
