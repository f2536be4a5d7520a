import { ExclusiveMigrationsDataSource, postgresOptions } from '@loyalty/platform';
import { posIngestDatabase } from '../src/database/data-source';
import { CompressReceiptBodiesWithLz41795600000000 } from '../src/database/migrations/1795600000000-CompressReceiptBodiesWithLz4';
import { StoreReceiptBodiesAsJson1795500000000 } from '../src/database/migrations/1795500000000-StoreReceiptBodiesAsJson';
import { databaseUrl } from '../../../test/support/test-database';
import { Client } from 'pg';

const migrations = posIngestDatabase.migrations;
/** How many migrations there are up to and including this one. */
const through = (migration: (typeof migrations)[number]) => migrations.indexOf(migration) + 1;

/** A data source of the database that applies the first `count` migrations at start. */
function migratedTo(database: string, count: number): ExclusiveMigrationsDataSource {
  return new ExclusiveMigrationsDataSource(
    postgresOptions({
      ...posIngestDatabase,
      migrations: migrations.slice(0, count),
      databaseUrl: databaseUrl(database),
      applicationName: 'pos-ingest-migrations',
    }),
  );
}

describe('pos-ingest migrations', () => {
  const name = `loyalty_test_migrations_${Date.now()}`;
  const admin = new Client({ connectionString: databaseUrl('postgres') });

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
  });

  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS "${name}_bodies" WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS "${name}_receipts" WITH (FORCE)`);
    await admin.query(`DROP DATABASE IF EXISTS "${name}_lz4" WITH (FORCE)`);
    await admin.end();
  });

  it('apply once when several processes start on an empty database at the same moment', async () => {
    const processes = Array.from(
      { length: 3 },
      (_, i) =>
        new ExclusiveMigrationsDataSource(
          postgresOptions({
            ...posIngestDatabase,
            databaseUrl: databaseUrl(name),
            applicationName: `pos-ingest-${i}`,
          }),
        ),
    );
    await Promise.all(processes.map((p) => p.initialize()));
    try {
      const applied: { name: string }[] = await processes[0].query(
        `SELECT name FROM ingest_migrations ORDER BY id`,
      );
      expect(applied.map((m) => m.name)).toEqual(posIngestDatabase.migrations.map((m) => m.name));
    } finally {
      await Promise.all(processes.map((p) => p.destroy()));
    }
  });

  it('turn stored receipt bodies from jsonb into json and back, keeping every transaction', async () => {
    await admin.query(`CREATE DATABASE "${name}_bodies"`);
    const at = (count: number) => migratedTo(`${name}_bodies`, count);
    const lines = [{ sku: 'A-1', description: 'Crème fraîche', quantity: 0.25, amountCents: 99 }];
    const before = await at(through(StoreReceiptBodiesAsJson1795500000000) - 1).initialize();
    await before.query(
      `INSERT INTO ingest.transactions (pos_transaction_id, store_id, terminal_id, cashier_id, business_date,
         type, occurred_at, utc_offset, total_cents, lines, tenders, applied_offers, received_at)
       VALUES ('tx-1', 'store-1', 'lane-1', 'c-1', '2026-11-22', 'sale', now(), '+00:00', 99, $1, '[]', '[]', now())`,
      [JSON.stringify(lines)],
    );
    await before.destroy();
    const stored = async (ds: ExclusiveMigrationsDataSource) =>
      (await ds.query(
        `SELECT pg_typeof(lines)::text AS type, lines FROM ingest.transactions WHERE pos_transaction_id = 'tx-1'`,
      )) as { type: string; lines: unknown }[];

    const after = await at(through(StoreReceiptBodiesAsJson1795500000000)).initialize();
    try {
      expect(await stored(after)).toEqual([{ type: 'json', lines }]);
      await after.undoLastMigration();
      expect(await stored(after)).toEqual([{ type: 'jsonb', lines }]);
    } finally {
      await after.destroy();
    }
  });

  it('add intake receipts to a database set up by the first migration alone', async () => {
    await admin.query(`CREATE DATABASE "${name}_receipts"`);
    const receiptsTable = async (ds: ExclusiveMigrationsDataSource) =>
      (
        (await ds.query(`SELECT to_regclass('ingest.intake_receipts') AS t`)) as {
          t: string | null;
        }[]
      )[0].t;
    const before = await migratedTo(`${name}_receipts`, 1).initialize();
    try {
      expect(await receiptsTable(before)).toBeNull();
    } finally {
      await before.destroy();
    }
    const after = await migratedTo(`${name}_receipts`, migrations.length).initialize();
    try {
      expect(await receiptsTable(after)).toBe('ingest.intake_receipts');
    } finally {
      await after.destroy();
    }
  });

  it('compress receipt bodies written after the lz4 migration with lz4, and those before as they were', async () => {
    await admin.query(`CREATE DATABASE "${name}_lz4"`);
    const at = (count: number) => migratedTo(`${name}_lz4`, count);
    const lines = Array.from({ length: 40 }, (_, i) => ({
      sku: `sku-${i}`,
      department: 'GROCERY',
      quantity: 1,
      unitPriceCents: 100 + i,
      amountCents: 100 + i,
    }));
    const insert = (ds: ExclusiveMigrationsDataSource, id: string) =>
      ds.query(
        `INSERT INTO ingest.transactions (pos_transaction_id, store_id, terminal_id, cashier_id, business_date,
           type, occurred_at, utc_offset, total_cents, lines, tenders, applied_offers, received_at)
         VALUES ($1, 'store-1', 'lane-1', 'c-1', '2026-11-22', 'sale', now(), '+00:00', 99, $2, '[]', '[]', now())`,
        [id, JSON.stringify(lines)],
      );
    const stored = async (ds: ExclusiveMigrationsDataSource) =>
      (await ds.query(
        `SELECT pos_transaction_id AS id, pg_column_compression(lines) AS compression, lines
           FROM ingest.transactions ORDER BY pos_transaction_id`,
      )) as { id: string; compression: string; lines: unknown }[];
    const lz4 = through(CompressReceiptBodiesWithLz41795600000000);

    const before = await at(lz4 - 1).initialize();
    await insert(before, 'tx-1');
    await before.destroy();
    const after = await at(lz4).initialize();
    try {
      await insert(after, 'tx-2');
      expect(await stored(after)).toEqual([
        { id: 'tx-1', compression: 'pglz', lines },
        { id: 'tx-2', compression: 'lz4', lines },
      ]);
      await after.undoLastMigration();
      await insert(after, 'tx-3');
      expect((await stored(after)).map((row) => row.compression)).toEqual(['pglz', 'lz4', 'pglz']);
    } finally {
      await after.destroy();
    }
  });
});
