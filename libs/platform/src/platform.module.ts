import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { findPaymentCardNumbers, maskPaymentCardNumbers } from '@loyalty/domain';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KafkaModule } from '@loyalty/kafka';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { randomUUID } from 'node:crypto';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { TerminalKeyLookup } from './auth/terminal-keys';
import { PlatformConfig } from './config/platform-config';
import { ExclusiveMigrationsDataSource } from './database/exclusive-migrations.data-source';
import { AppDatabase, postgresOptions } from './database/postgres-options';
import { HealthController } from './health/health.controller';
import { KafkaHealthIndicator } from './health/kafka.health';
import { RequestScreenInterceptor } from './http/request-screen.interceptor';
import { JobRunner } from './jobs/job-runner';

/** A caller's X-Request-Id is kept only if it is a plain id: it is logged and answered back. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

function requestIdOf(header: unknown, loyaltyCardPrefix: string): string {
  return typeof header === 'string' &&
    REQUEST_ID_PATTERN.test(header) &&
    findPaymentCardNumbers(header, loyaltyCardPrefix).length === 0
    ? header
    : randomUUID();
}

/** What the request log keeps of a request: its URL and headers with any card number masked. */
function maskedRequest(loyaltyCardPrefix: string) {
  const mask = (text: string) => maskPaymentCardNumbers(text, loyaltyCardPrefix);
  return (req: { url?: string; query?: unknown; headers?: Record<string, unknown> }) => ({
    ...req,
    // Loyalty card numbers too: routes name cards in the path and the query.
    url: req.url && mask(req.url).replace(/\d{12,19}/g, (digits) => `****${digits.slice(-4)}`),
    query: undefined,
    headers: Object.fromEntries(
      Object.entries(req.headers ?? {}).map(([name, value]) => [
        name,
        typeof value === 'string' ? mask(value) : value,
      ]),
    ),
  });
}

export interface PlatformOptions {
  config: PlatformConfig;
  database: Omit<AppDatabase, 'databaseUrl' | 'applicationName'>;
  outboxTable: string;
  /** The app's jobs table, for an app with scheduled jobs (each module registers its own). */
  jobsTable?: string;
  /** How this app finds terminal keys; an app without terminal routes has none. */
  terminalKeys?: Type<TerminalKeyLookup>;
}

/**
 * What every app runs on: validated config, JSON logs, PostgreSQL, Kafka with an outbox relay,
 * deny-by-default auth and the health endpoints.
 */
@Module({})
export class PlatformModule {
  static forRoot({
    config,
    database,
    outboxTable,
    jobsTable,
    terminalKeys,
  }: PlatformOptions): DynamicModule {
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
          pinoHttp: [
            {
              name: config.APP_NAME,
              level: config.LOG_LEVEL,
              genReqId: (req) =>
                requestIdOf(req.headers['x-request-id'], config.LOYALTY_CARD_PREFIX),
              serializers: { req: maskedRequest(config.LOYALTY_CARD_PREFIX) },
              redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
              autoLogging: { ignore: (req) => req.url?.startsWith('/health') ?? false },
            },
            // Written off the request's path (a request's log line costs no blocking write);
            // pino flushes what is pending when the process exits.
            pino.destination({ dest: 1, sync: false }),
          ],
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
      providers: [
        ...configProviders,
        KafkaHealthIndicator,
        // Every route is closed unless it declares who may call it.
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: RequestScreenInterceptor },
        ...(terminalKeys ? [{ provide: TerminalKeyLookup, useClass: terminalKeys }] : []),
        ...(jobsTable
          ? [
              {
                provide: JobRunner,
                inject: [DataSource],
                useFactory: (dataSource: DataSource) =>
                  new JobRunner(dataSource, {
                    table: jobsTable,
                    startWithApp: config.JOBS_ENABLED === 'true',
                  }),
              },
            ]
          : []),
      ],
      exports: [
        ...configProviders,
        ...(terminalKeys ? [TerminalKeyLookup] : []),
        ...(jobsTable ? [JobRunner] : []),
      ],
    };
  }
}
