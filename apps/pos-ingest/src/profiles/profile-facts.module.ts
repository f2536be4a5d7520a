import { Module, OnModuleInit } from '@nestjs/common';
import { JobRunner } from '@loyalty/platform';
import { ProfileFactsJob } from './profile-facts.job';
import { ProfileFactsQueries } from './profile-facts.queries';
import { ProfileFactsRefresher } from './profile-facts.refresher';
import { ProductFactsJob } from './product-facts.job';
import { ProductFactsQueries } from './product-facts.queries';
import { ProfileSumsQueries } from './profile-sums.queries';
import { RecentProfileFactsJob } from './recent-profile-facts.job';

/**
 * The refresh of the facts right after each projected batch, the product facts job (every
 * minute, folding the projector's queue), the recent profile facts job (every minute, the
 * households changed since, whatever a refresh missed) and the nightly time-dependent profile facts,
 * on pos-ingest's job runner (every process runs it; one of them wins each period's run), and
 * the queries the projector and the household copy call.
 */
@Module({
  providers: [
    ProfileFactsQueries,
    ProfileFactsJob,
    ProfileFactsRefresher,
    ProfileSumsQueries,
    ProductFactsQueries,
    ProductFactsJob,
    RecentProfileFactsJob,
  ],
  exports: [ProfileFactsQueries, ProfileFactsRefresher, ProductFactsQueries],
})
export class ProfileFactsModule implements OnModuleInit {
  constructor(
    private readonly runner: JobRunner,
    private readonly profileFacts: ProfileFactsJob,
    private readonly productFacts: ProductFactsJob,
    private readonly recentFacts: RecentProfileFactsJob,
  ) {}

  onModuleInit(): void {
    this.runner.register(this.profileFacts);
    this.runner.register(this.productFacts);
    this.runner.register(this.recentFacts);
  }
}
