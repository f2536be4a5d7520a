import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@loyalty/platform';
import { AudienceListsModule } from './audience-lists/audience-lists.module';
import { TerminalKeysQuery } from './terminals/terminal-keys.query';
import { CheckoutModule } from './checkout/checkout.module';
import { LoyaltyApiConfig } from './config';
import { JOBS_TABLE, OUTBOX_TABLE, loyaltyApiDatabase } from './database/data-source';
import { MessagesModule } from './messages/messages.module';
import { OffersModule } from './offers/offers.module';
import { PointsModule } from './points/points.module';
import { PrivacyModule } from './privacy/privacy.module';
import { ReportsModule } from './reports/reports.module';
import { RulesModule } from './rules/rules.module';
import { ShoppersModule } from './shoppers/shoppers.module';
import { StoresModule } from './stores/stores.module';
import { SupportModule } from './support/support.module';

@Module({})
export class AppModule {
  static register(config: LoyaltyApiConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          config,
          database: loyaltyApiDatabase,
          outboxTable: OUTBOX_TABLE,
          jobsTable: JOBS_TABLE,
          terminalKeys: TerminalKeysQuery,
        }),
        AudienceListsModule,
        CheckoutModule,
        MessagesModule,
        OffersModule,
        PointsModule,
        PrivacyModule,
        ReportsModule,
        RulesModule,
        ShoppersModule,
        StoresModule,
        SupportModule,
      ],
    };
  }
}
