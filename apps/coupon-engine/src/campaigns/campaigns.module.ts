import { Module, OnModuleInit } from '@nestjs/common';
import { JobRunner } from '@loyalty/platform';
import { RulesModule } from '../rules/rules.module';
import { CampaignIssuanceQueries } from './campaign-issuance.queries';
import { CampaignsJob } from './campaigns.job';

/**
 * Scheduled and lifecycle campaigns over the whole population: the `campaigns` job on the
 * engine's job runner (every process runs it; one of them wins each minute's run).
 */
@Module({
  imports: [RulesModule],
  providers: [CampaignIssuanceQueries, CampaignsJob],
})
export class CampaignsModule implements OnModuleInit {
  constructor(
    private readonly runner: JobRunner,
    private readonly job: CampaignsJob,
  ) {}

  onModuleInit(): void {
    this.runner.register(this.job);
  }
}
