import { Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { JobRunner } from '@loyalty/platform';
import { DataSource } from 'typeorm';
import { PosIngestConfig } from '../config';
import { ProfileFactsJob } from './profile-facts.job';
import { ProfileFactsQueries } from './profile-facts.queries';
import { ProductFactsJob } from './product-facts.job';
import { ProductFactsQueries } from './product-facts.queries';
import { ProfileSumsQueries } from './profile-sums.queries';
import { RecentProfileFactsJob } from './recent-profile-facts.job';

export const JOBS_TABLE = 'ingest.jobs';

/**
 * The product facts job (every minute, folding the projector's queue), the recent profile facts
 * job (every minute, the households changed since) and the time-dependent profile facts: the
 * nightly job on pos-ingest's job runner (every process
 * runs the runner; one of them wins each night's run), and the queries the projector calls for
 * the households of a batch.
 */
@Module({
  providers: [
    ProfileFactsQueries,
    ProfileFactsJob,
    ProfileSumsQueries,
    ProductFactsQueries,
    ProductFactsJob,
    RecentProfileFactsJob,
    {
      provide: JobRunner,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new JobRunner(dataSource, { table: JOBS_TABLE }),
    },
  ],
  exports: [ProfileFactsQueries, ProductFactsQueries, JobRunner],
})
export class ProfileFactsModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly runner: JobRunner,
    private readonly job: ProfileFactsJob,
    private readonly productFacts: ProductFactsJob,
    private readonly recentFacts: RecentProfileFactsJob,
    private readonly config: PosIngestConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.runner.register(this.job);
    this.runner.register(this.productFacts);
    this.runner.register(this.recentFacts);
    if (this.config.jobsEnabled) this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
