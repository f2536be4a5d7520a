import { Module } from '@nestjs/common';
import { PointsModule } from '../points/points.module';
import { CheckoutOffersQuery } from './checkout-offers.query';
import { CheckoutController } from './checkout.controller';
import { CheckoutService } from './checkout.service';

@Module({
  imports: [PointsModule],
  controllers: [CheckoutController],
  providers: [CheckoutService, CheckoutOffersQuery],
})
export class CheckoutModule {}
