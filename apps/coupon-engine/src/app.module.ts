import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@loyalty/platform';
import { AnalyticsModule } from './analytics/analytics.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { CouponEngineConfig } from './config';
import { JOBS_TABLE, OUTBOX_TABLE, couponEngineDatabase } from './database/data-source';
import { OffersModule } from './offers/offers.module';
import { PreviewsModule } from './previews/previews.module';
import { ShoppersModule } from './shoppers/shoppers.module';
import { StoresModule } from './stores/stores.module';

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
          jobsTable: JOBS_TABLE,
        }),
        AnalyticsModule,
        CampaignsModule,
        OffersModule,
        PreviewsModule,
        ShoppersModule,
        StoresModule,
      ],
    };
  }
}
