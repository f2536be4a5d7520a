import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Runs `text` as a named prepared statement on the data source's pool, outside any transaction:
 * each connection parses and plans it once (and PostgreSQL may keep a generic plan), where a
 * plain query is parsed and planned on every call. For the hottest reads; `name` must be unique
 * per text.
 */
export async function queryPrepared<Row>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: unknown[],
): Promise<Row[]> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  const { rows } = await pool.query({ name, text, values });
  return rows as Row[];
}
