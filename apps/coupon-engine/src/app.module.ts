import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@loyalty/platform';
import { CouponEngineConfig } from './config';
import { OUTBOX_TABLE, couponEngineDatabase } from './database/data-source';
import { OffersModule } from './offers/offers.module';
import { ShoppersModule } from './shoppers/shoppers.module';

@Module({})
export class AppModule {
  static register(config: CouponEngineConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          config,
          database: couponEngineDatabase,
          outboxTable: OUTBOX_TABLE,
        }),
        OffersModule,
        ShoppersModule,
      ],
    };
  }
}
