import { postgresOptions } from '@loyalty/platform';
import { DataSource } from 'typeorm';
import { Card } from '../projection/card.entity';
import { Profile } from '../projection/profile.entity';
import { Shopper } from '../projection/shopper.entity';
import { Transaction } from '../projection/transaction.entity';
import { CreateIngestSchema1795300000000 } from './migrations/1795300000000-CreateIngestSchema';

// pos-ingest owns the `ingest` schema.
export const posIngestDatabase = {
  migrationsTableName: 'ingest_migrations',
  entities: [Card, Profile, Shopper, Transaction],
  migrations: [CreateIngestSchema1795300000000],
};

export const OUTBOX_TABLE = 'ingest.outbox';

// For the TypeORM CLI: `typeorm migration:run -d apps/pos-ingest/src/database/data-source.ts`.
export const cliDataSource = new DataSource(
  postgresOptions({
    ...posIngestDatabase,
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/loyalty',
    applicationName: 'pos-ingest-cli',
  }),
);
