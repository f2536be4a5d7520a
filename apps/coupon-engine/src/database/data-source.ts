import { postgresOptions } from '@loyalty/platform';
import { DataSource } from 'typeorm';
import { CreateCouponsSchema1795300000200 } from './migrations/1795300000200-CreateCouponsSchema';
import { OffersBecomeIssuanceRecord1795700000200 } from './migrations/1795700000200-OffersBecomeIssuanceRecord';
import { CreateRulesCopy1795700000300 } from './migrations/1795700000300-CreateRulesCopy';
import { CreateAudienceFacts1795900000200 } from './migrations/1795900000200-CreateAudienceFacts';
import { HouseholdFactsFromEvents1795900000205 } from './migrations/1795900000205-HouseholdFactsFromEvents';
import { IssueFromVersionedRules1795900000210 } from './migrations/1795900000210-IssueFromVersionedRules';
import { Campaigns1795900000220 } from './migrations/1795900000220-Campaigns';
import { OfferWithdrawals1795900000230 } from './migrations/1795900000230-OfferWithdrawals';
import { LeanerOfferIndexes1795900000240 } from './migrations/1795900000240-LeanerOfferIndexes';
import { LifecycleTransitions1795900000250 } from './migrations/1795900000250-LifecycleTransitions';
import { CampaignsCountLimited1795900000260 } from './migrations/1795900000260-CampaignsCountLimited';
import { ItemInsight1795900000280 } from './migrations/1795900000280-ItemInsight';
import { CrossSellAssociations1795900000290 } from './migrations/1795900000290-CrossSellAssociations';
import { StoreRegions1795900000300 } from './migrations/1795900000300-StoreRegions';

// coupon-engine owns the `coupons` schema.
export const couponEngineDatabase = {
  migrationsTableName: 'coupons_migrations',
  entities: [],
  migrations: [
    CreateCouponsSchema1795300000200,
    OffersBecomeIssuanceRecord1795700000200,
    CreateRulesCopy1795700000300,
    CreateAudienceFacts1795900000200,
    HouseholdFactsFromEvents1795900000205,
    IssueFromVersionedRules1795900000210,
    Campaigns1795900000220,
    OfferWithdrawals1795900000230,
    LeanerOfferIndexes1795900000240,
    LifecycleTransitions1795900000250,
    CampaignsCountLimited1795900000260,
    ItemInsight1795900000280,
    CrossSellAssociations1795900000290,
    StoreRegions1795900000300,
  ],
};

export const OUTBOX_TABLE = 'coupons.outbox';
export const JOBS_TABLE = 'coupons.jobs';

// For the TypeORM CLI: `typeorm migration:run -d apps/coupon-engine/src/database/data-source.ts`.
export const cliDataSource = new DataSource(
  postgresOptions({
    ...couponEngineDatabase,
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/loyalty',
    applicationName: 'coupon-engine-cli',
  }),
);
