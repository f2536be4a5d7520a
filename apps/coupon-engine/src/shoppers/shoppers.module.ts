import { Module } from '@nestjs/common';
import { OffersModule } from '../offers/offers.module';
import { WithdrawalsModule } from '../withdrawals/withdrawals.module';
import { HouseholdFactsConsumer } from './household-facts.consumer';
import { HouseholdFactsService } from './household-facts.service';
import { ShopperErasedConsumer } from './shopper-erased.consumer';
import { ShopperErasureService } from './shopper-erasure.service';

@Module({
  imports: [OffersModule, WithdrawalsModule],
  providers: [
    HouseholdFactsConsumer,
    HouseholdFactsService,
    ShopperErasedConsumer,
    ShopperErasureService,
  ],
})
export class ShoppersModule {}
