import { Module } from '@nestjs/common';
import { PointsController } from './points.controller';
import { PointsEarnedConsumer } from './points-earned.consumer';
import { PointsExpiryService } from './points-expiry.service';
import { PointsLedger } from './points-ledger';
import { PointsLiabilityQuery } from './points-liability.query';
import { PointsService } from './points.service';
import { PointsStatementQuery } from './points-statement.query';

@Module({
  controllers: [PointsController],
  providers: [
    PointsEarnedConsumer,
    PointsExpiryService,
    PointsLedger,
    PointsLiabilityQuery,
    PointsService,
    PointsStatementQuery,
  ],
  exports: [PointsExpiryService, PointsLedger],
})
export class PointsModule {}
