import { postgresOptions } from '@loyalty/platform';
import { DataSource } from 'typeorm';
import { CreateIngestSchema1795300000000 } from './migrations/1795300000000-CreateIngestSchema';
import { IndexIntakeReceiptsByAge1795400000000 } from './migrations/1795400000000-IndexIntakeReceiptsByAge';
import { StoreReceiptBodiesAsJson1795500000000 } from './migrations/1795500000000-StoreReceiptBodiesAsJson';
import { CompressReceiptBodiesWithLz41795600000000 } from './migrations/1795600000000-CompressReceiptBodiesWithLz4';
import { CreateTerminalKeysCopy1795700000000 } from './migrations/1795700000000-CreateTerminalKeysCopy';
import { ProfilesKnowTheShopper1795800000000 } from './migrations/1795800000000-ProfilesKnowTheShopper';
import { ScheduledProfileFacts1795800000010 } from './migrations/1795800000010-ScheduledProfileFacts';
import { IndexTransactionsByCard1795800000020 } from './migrations/1795800000020-IndexTransactionsByCard';
import { QueueProductFacts1795800000030 } from './migrations/1795800000030-QueueProductFacts';
import { MarkStaleWindows1795800000040 } from './migrations/1795800000040-MarkStaleWindows';
import { IndexTransactionsByBusinessDate1795800000050 } from './migrations/1795800000050-IndexTransactionsByBusinessDate';
import { IndexTransactionsByHousehold1795800000060 } from './migrations/1795800000060-IndexTransactionsByHousehold';

// pos-ingest owns the `ingest` schema.
export const posIngestDatabase = {
  migrationsTableName: 'ingest_migrations',
  // The projector works in hand-written SQL (each noun's `*.queries.ts`): no entities.
  entities: [],
  migrations: [
    CreateIngestSchema1795300000000,
    IndexIntakeReceiptsByAge1795400000000,
    StoreReceiptBodiesAsJson1795500000000,
    CompressReceiptBodiesWithLz41795600000000,
    CreateTerminalKeysCopy1795700000000,
    ProfilesKnowTheShopper1795800000000,
    ScheduledProfileFacts1795800000010,
    IndexTransactionsByCard1795800000020,
    QueueProductFacts1795800000030,
    MarkStaleWindows1795800000040,
    IndexTransactionsByBusinessDate1795800000050,
    IndexTransactionsByHousehold1795800000060,
  ],
};

export const OUTBOX_TABLE = 'ingest.outbox';
export const JOBS_TABLE = 'ingest.jobs';

// For the TypeORM CLI: `typeorm migration:run -d apps/pos-ingest/src/database/data-source.ts`.
export const cliDataSource = new DataSource(
  postgresOptions({
    ...posIngestDatabase,
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/loyalty',
    applicationName: 'pos-ingest-cli',
  }),
);
