import { Module, OnModuleInit } from '@nestjs/common';
import { JobRunner } from '@loyalty/platform';
import { BasketCountsQuery } from './basket-counts.query';
import { ItemInsightJob } from './item-insight.job';
import { ItemInsightQueries } from './item-insight.queries';

/** What the engine learns over the whole population's baskets: the `item-insight` job. */
@Module({ providers: [BasketCountsQuery, ItemInsightJob, ItemInsightQueries] })
export class AnalyticsModule implements OnModuleInit {
  constructor(
    private readonly runner: JobRunner,
    private readonly job: ItemInsightJob,
  ) {}

  onModuleInit(): void {
    this.runner.register(this.job);
  }
}
