import { Module } from '@nestjs/common';
import { PointsModule } from '../points/points.module';
import { CardRegistry } from './card-registry';
import { EnrolmentService } from './enrolment.service';
import { HouseholdChanges } from './household-changes';
import { HouseholdFactsController } from './household-facts.controller';
import { HouseholdReadsService } from './household-reads.service';
import { HouseholdRecordQuery } from './household-record.query';
import { HouseholdService } from './household.service';
import { HouseholdViews } from './household-views';
import { MeController } from './me.controller';
import { MergeService } from './merge.service';
import { ShopperProfileQuery } from './shopper-profile.query';
import { ShopperTransactionsQuery } from './shopper-transactions.query';
import { HouseholdTiers } from './household-tiers';
import { SupportHouseholdsController } from './support-households.controller';

@Module({
  imports: [PointsModule],
  controllers: [MeController, SupportHouseholdsController, HouseholdFactsController],
  providers: [
    CardRegistry,
    EnrolmentService,
    HouseholdChanges,
    HouseholdReadsService,
    HouseholdRecordQuery,
    HouseholdService,
    HouseholdTiers,
    HouseholdViews,
    MergeService,
    ShopperProfileQuery,
    ShopperTransactionsQuery,
  ],
  exports: [
    HouseholdChanges,
    HouseholdReadsService,
    HouseholdRecordQuery,
    HouseholdService,
    HouseholdViews,
    ShopperTransactionsQuery,
  ],
})
export class ShoppersModule {}
