import { ExclusiveMigrationsDataSource, postgresOptions } from '@loyalty/platform';
import { posIngestDatabase } from '../src/database/data-source';
import { databaseUrl } from '../../../test/support/test-database';
import { Client } from 'pg';

describe('pos-ingest migrations', () => {
  const name = `loyalty_test_migrations_${Date.now()}`;
  const admin = new Client({ connectionString: databaseUrl('postgres') });

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
  });

  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
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
});
