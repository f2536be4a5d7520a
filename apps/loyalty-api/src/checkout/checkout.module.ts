import { Module } from '@nestjs/common';
import { PointsModule } from '../points/points.module';
import { CheckoutOffersQuery } from './checkout-offers.query';
import { CheckoutController } from './checkout.controller';
import { CheckoutService } from './checkout.service';
import { RuleLimitsQuery } from './rule-limits.query';

@Module({
  imports: [PointsModule],
  controllers: [CheckoutController],
  providers: [CheckoutService, CheckoutOffersQuery, RuleLimitsQuery],
})
export class CheckoutModule {}
