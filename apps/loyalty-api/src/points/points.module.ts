import { Module, OnModuleInit } from '@nestjs/common';
import { JobRunner } from '@loyalty/platform';
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
  ],
  exports: [PointsExpiryService, PointsLedger, PointsStatementQuery],
})
export class PointsModule implements OnModuleInit {
  constructor(
    private readonly runner: JobRunner,
    private readonly expiry: PointsExpiryJob,
  ) {}

  onModuleInit(): void {
    this.runner.register(this.expiry);
  }
}
