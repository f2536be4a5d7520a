import { DataSource, Migration } from 'typeorm';

/**
 * A DataSource whose migrations run under a PostgreSQL advisory lock, one per migrations table:
 * processes of one app starting together (a scaled-out projector, say) migrate one after the
 * other, and the later ones find nothing left to do instead of failing on "already exists".
 */
export class ExclusiveMigrationsDataSource extends DataSource {
  override async runMigrations(
    options?: Parameters<DataSource['runMigrations']>[0],
  ): Promise<Migration[]> {
    const lock = this.createQueryRunner();
    const key = this.options.migrationsTableName ?? 'migrations';
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
      return await super.runMigrations(options);
    } finally {
      await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
      await lock.release();
    }
  }
}
