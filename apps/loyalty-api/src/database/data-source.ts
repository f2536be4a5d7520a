import { postgresOptions } from '@loyalty/platform';
import { DataSource } from 'typeorm';
import { AudienceList } from '../audience-lists/audience-list.entity';
import { AuditEntry } from '../audit/audit-entry.entity';
import { Redemption } from '../checkout/redemption.entity';
import { Rule } from '../rules/rule.entity';
import { RuleVersion } from '../rules/rule-version.entity';
import { TerminalApiKey } from '../terminals/terminal-api-key.entity';
import { CreateLoyaltySchema1795300000100 } from './migrations/1795300000100-CreateLoyaltySchema';
import { CreateOfferWallet1795700000100 } from './migrations/1795700000100-CreateOfferWallet';
import { VersionCouponRules1795700000110 } from './migrations/1795700000110-VersionCouponRules';
import { PublishTerminalKeys1795700000120 } from './migrations/1795700000120-PublishTerminalKeys';
import { CreateShopperRecord1795800000100 } from './migrations/1795800000100-CreateShopperRecord';
import { ShopperRecordKeepsItsPromises1795800000110 } from './migrations/1795800000110-ShopperRecordKeepsItsPromises';
import { PointsLedgerIndexes1795800000120 } from './migrations/1795800000120-PointsLedgerIndexes';
import { CreateJobs1795800000130 } from './migrations/1795800000130-CreateJobs';
import { CreateAudienceLists1795900000100 } from './migrations/1795900000100-CreateAudienceLists';
import { VersionedCouponRules1795900000110 } from './migrations/1795900000110-VersionedCouponRules';
import { WalletTakesVersionedOffers1795900000120 } from './migrations/1795900000120-WalletTakesVersionedOffers';
import { ShopperMessages1795900000130 } from './migrations/1795900000130-ShopperMessages';
import { RecordOfferWithdrawals1795900000140 } from './migrations/1795900000140-RecordOfferWithdrawals';
import { AudienceListMembersByHousehold1795900000150 } from './migrations/1795900000150-AudienceListMembersByHousehold';
import { CheckoutEnforcesRules1795900000160 } from './migrations/1795900000160-CheckoutEnforcesRules';
import { CheckoutSettlement1795900000170 } from './migrations/1795900000170-CheckoutSettlement';
import { CheckoutIdempotencyKeys1795900000180 } from './migrations/1795900000180-CheckoutIdempotencyKeys';
import { CheckoutReservations1795900000190 } from './migrations/1795900000190-CheckoutReservations';
import { HouseholdTiers1795900000270 } from './migrations/1795900000270-HouseholdTiers';
import { SupportContacts1795900000280 } from './migrations/1795900000280-SupportContacts';
import { Reports1795900000290 } from './migrations/1795900000290-Reports';
import { HouseholdDemographics1795900000300 } from './migrations/1795900000300-HouseholdDemographics';
import { StoreRegister1795900000310 } from './migrations/1795900000310-StoreRegister';

// loyalty-api owns the `loyalty` schema.
export const loyaltyApiDatabase = {
  migrationsTableName: 'loyalty_migrations',
  entities: [AudienceList, AuditEntry, Redemption, Rule, RuleVersion, TerminalApiKey],
  migrations: [
    CreateLoyaltySchema1795300000100,
    CreateOfferWallet1795700000100,
    VersionCouponRules1795700000110,
    PublishTerminalKeys1795700000120,
    CreateShopperRecord1795800000100,
    ShopperRecordKeepsItsPromises1795800000110,
    PointsLedgerIndexes1795800000120,
    CreateJobs1795800000130,
    CreateAudienceLists1795900000100,
    VersionedCouponRules1795900000110,
    WalletTakesVersionedOffers1795900000120,
    ShopperMessages1795900000130,
    RecordOfferWithdrawals1795900000140,
    AudienceListMembersByHousehold1795900000150,
    CheckoutEnforcesRules1795900000160,
    CheckoutSettlement1795900000170,
    CheckoutIdempotencyKeys1795900000180,
    CheckoutReservations1795900000190,
    HouseholdTiers1795900000270,
    SupportContacts1795900000280,
    Reports1795900000290,
    HouseholdDemographics1795900000300,
    StoreRegister1795900000310,
  ],
};

export const OUTBOX_TABLE = 'loyalty.outbox';
export const JOBS_TABLE = 'loyalty.jobs';

// For the TypeORM CLI: `typeorm migration:run -d apps/loyalty-api/src/database/data-source.ts`.
export const cliDataSource = new DataSource(
  postgresOptions({
    ...loyaltyApiDatabase,
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/loyalty',
    applicationName: 'loyalty-api-cli',
  }),
);
