import { DataSourceOptions, EntitySchema, MixedList } from 'typeorm';
import { SnakeNamingStrategy } from 'typeorm-naming-strategies';

type Constructor = new (...args: never[]) => unknown;

export interface AppDatabase {
  databaseUrl: string;
  /** Each app keeps its migration history in its own table. */
  migrationsTableName: string;
  entities: MixedList<Constructor | string | EntitySchema>;
  migrations: MixedList<Constructor | string>;
  applicationName: string;
}

export function postgresOptions(db: AppDatabase): DataSourceOptions {
  return {
    type: 'postgres',
    url: db.databaseUrl,
    applicationName: db.applicationName,
    entities: db.entities,
    migrations: db.migrations,
    migrationsTableName: db.migrationsTableName,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    // Each app applies its own pending migrations at start (its own schema and history table).
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    extra: { max: 10 },
  };
}
