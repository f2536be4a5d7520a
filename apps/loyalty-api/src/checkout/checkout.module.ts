import { Module } from '@nestjs/common';
import { PointsModule } from '../points/points.module';
import { CheckoutOffersQuery } from './checkout-offers.query';
import { CheckoutController } from './checkout.controller';
import { ConflictsController } from './conflicts.controller';
import { ConflictsService } from './conflicts.service';
import { CheckoutService } from './checkout.service';
import { RuleLimitsQuery } from './rule-limits.query';
import { SettlementConsumer } from './settlement.consumer';
import { SettlementService } from './settlement.service';

@Module({
  imports: [PointsModule],
  controllers: [CheckoutController, ConflictsController],
  providers: [
    CheckoutService,
    CheckoutOffersQuery,
    ConflictsService,
    RuleLimitsQuery,
    SettlementConsumer,
    SettlementService,
  ],
})
export class CheckoutModule {}
