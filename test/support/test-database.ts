import { postgresOptions } from '@loyalty/platform';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { couponEngineDatabase } from '../../apps/coupon-engine/src/database/data-source';
import { loyaltyApiDatabase } from '../../apps/loyalty-api/src/database/data-source';
import { posIngestDatabase } from '../../apps/pos-ingest/src/database/data-source';

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh database and applies every app's migrations, as the apps would at start. */
export async function createTestDatabase(name: string): Promise<string> {
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = databaseUrl(name);
  for (const database of [posIngestDatabase, loyaltyApiDatabase, couponEngineDatabase]) {
    const dataSource = new DataSource(
      postgresOptions({ ...database, databaseUrl: url, applicationName: 'test-setup' }),
    );
    await dataSource.initialize();
    await dataSource.destroy();
  }
  return url;
}

export async function dropTestDatabase(name: string): Promise<void> {
  await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
