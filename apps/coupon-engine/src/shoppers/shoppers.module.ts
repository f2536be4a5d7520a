import { Module } from '@nestjs/common';
import { ShopperErasedConsumer } from './shopper-erased.consumer';
import { ShopperErasureService } from './shopper-erasure.service';

@Module({
  providers: [ShopperErasedConsumer, ShopperErasureService],
})
export class ShoppersModule {}
