import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { OutboxRelay } from '@loyalty/kafka';
import { DataSource } from 'typeorm';
import { PosIngestConfig } from '../config';
import { ProductFactsQueries } from './product-facts.queries';
import { ProfileFactsQueries } from './profile-facts.queries';

/**
 * Right after each projected batch committed, off its transaction: folds the households' queued
 * product effects into their product sums and top lists, then refreshes their time-dependent
 * facts (publishing ProfileChangedV2), so the coupon engine hears of a purchase within about a
 * second and finds what was bought. One refresh runs at a time per process;
 * households changed meanwhile wait for the next (a household changed twice is refreshed once).
 * A refresh that fails is left to the jobs: the product facts job folds
 * whatever is queued, the recent profile facts job refreshes every household changed since its
 * last run (`updated_at`).
 */
@Injectable()
export class ProfileFactsRefresher implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ProfileFactsRefresher.name);
  private readonly pending = new Set<string>();
  private running: Promise<void> | null = null;
  private readonly chunk: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: ProfileFactsQueries,
    private readonly products: ProductFactsQueries,
    private readonly relay: OutboxRelay,
    config: PosIngestConfig,
  ) {
    this.chunk = config.PROFILE_FACTS_CHUNK;
  }

  refreshSoon(householdIds: readonly string[]): void {
    for (const id of householdIds) this.pending.add(id);
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0) {
      const ids = [...this.pending].slice(0, this.chunk);
      for (const id of ids) this.pending.delete(id);
      try {
        await this.dataSource.transaction((m) => this.products.fold(m, { householdIds: ids }));
        await this.dataSource.transaction((m) => this.queries.refresh(m, new Date(), ids));
        this.relay.wake();
      } catch (error) {
        this.logger.warn(
          { households: ids.length, error: String(error) },
          'Profile facts refresh after a batch failed; the recent profile facts job catches up',
        );
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.pending.clear();
    await this.running;
  }
}
