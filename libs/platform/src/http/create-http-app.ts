import { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { ErrorFilter } from './error.filter';
import { createValidationPipe } from './validation';
import { PlatformConfig } from '../config/platform-config';
import { ConfigError, loadConfig } from '../config/load-config';

export interface HttpAppOptions {
  title: string;
  description: string;
  /** Largest accepted request body in bytes; bigger ones get a 413. */
  bodyLimit?: number;
}

/** Builds an app the same way in production and in tests: Fastify, JSON logs, validation, errors, OpenAPI. */
export async function createHttpApp(
  module: DynamicModule,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({ bodyLimit: options.bodyLimit ?? 1024 * 1024 }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorFilter());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(options.title)
      .setDescription(options.description)
      .setVersion('1')
      .addApiKey({ type: 'apiKey', name: 'X-Api-Key', in: 'header' }, 'terminal')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** The body of every app's main.ts: validate the environment, build the app, listen. */
export function runHttpApp<C extends PlatformConfig>(
  configClass: new () => C,
  module: (config: C) => DynamicModule,
  options: HttpAppOptions,
): void {
  const start = async () => {
    const config = loadConfig(configClass);
    const app = await createHttpApp(module(config), options);
    await app.listen(config.PORT, '0.0.0.0');
  };
  start().catch((error: unknown) => {
    // A configuration error is the operator's to fix and says all there is; anything else needs its stack.
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}
