import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KafkaModule } from '@loyalty/kafka';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import { DataSourceOptions } from 'typeorm';
import { AuthModule } from './auth/auth.module';
import { PlatformConfig } from './config/platform-config';
import { ExclusiveMigrationsDataSource } from './database/exclusive-migrations.data-source';
import { AppDatabase, postgresOptions } from './database/postgres-options';
import { HealthController } from './health/health.controller';
import { KafkaHealthIndicator } from './health/kafka.health';

export interface PlatformOptions {
  config: PlatformConfig;
  database: Omit<AppDatabase, 'databaseUrl' | 'applicationName'>;
  outboxTable: string;
}

/**
 * What every app runs on: validated config, JSON logs, PostgreSQL, Kafka with an outbox relay,
 * deny-by-default auth and the health endpoints.
 */
@Module({})
export class PlatformModule {
  static forRoot({ config, database, outboxTable }: PlatformOptions): DynamicModule {
    // Libraries inject PlatformConfig; app code injects its own subclass (e.g. PosIngestConfig).
    const configProviders = [
      { provide: PlatformConfig, useValue: config },
      { provide: config.constructor, useValue: config },
    ];
    return {
      global: true,
      module: PlatformModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            name: config.APP_NAME,
            level: config.LOG_LEVEL,
            genReqId: (req) => (req.headers['x-request-id'] as string | undefined) ?? randomUUID(),
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
            autoLogging: { ignore: (req) => req.url?.startsWith('/health') ?? false },
          },
        }),
        TypeOrmModule.forRootAsync({
          useFactory: () =>
            postgresOptions({
              ...database,
              databaseUrl: config.DATABASE_URL,
              applicationName: config.APP_NAME,
            }),
          dataSourceFactory: (options) =>
            new ExclusiveMigrationsDataSource(options as DataSourceOptions).initialize(),
        }),
        KafkaModule.forRoot({
          clientId: config.APP_NAME,
          brokers: config.kafkaBrokers,
          idempotentProducer: config.idempotentProducer,
          outboxTable,
        }),
        TerminusModule,
        AuthModule,
      ],
      controllers: [HealthController],
      providers: [...configProviders, KafkaHealthIndicator],
      exports: configProviders,
    };
  }
}
