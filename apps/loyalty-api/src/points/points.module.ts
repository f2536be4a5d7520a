import { Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { JobRunner } from '@loyalty/platform';
import { DataSource } from 'typeorm';
import { LoyaltyApiConfig } from '../config';
import { PointsController } from './points.controller';
import { PointsEarnedConsumer } from './points-earned.consumer';
import { PointsExpiryJob } from './points-expiry.job';
import { PointsExpiryService } from './points-expiry.service';
import { PointsLedger } from './points-ledger';
import { PointsLiabilityQuery } from './points-liability.query';
import { PointsService } from './points.service';
import { PointsStatementQuery } from './points-statement.query';

@Module({
  controllers: [PointsController],
  providers: [
    PointsEarnedConsumer,
    PointsExpiryJob,
    PointsExpiryService,
    PointsLedger,
    PointsLiabilityQuery,
    PointsService,
    PointsStatementQuery,
    {
      provide: JobRunner,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new JobRunner(dataSource, { table: 'loyalty.jobs' }),
    },
  ],
  exports: [PointsExpiryService, PointsLedger],
})
export class PointsModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly runner: JobRunner,
    private readonly expiry: PointsExpiryJob,
    private readonly config: LoyaltyApiConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.runner.register(this.expiry);
    if (this.config.JOBS_ENABLED === 'true') this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
