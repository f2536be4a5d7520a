import { BadRequestException, DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
} from 'fastify';
import { ErrorDto, FieldErrorDto, documentErrors } from './api-errors';
import { ErrorFilter } from './error.filter';
import { JSON_MEDIA_TYPE } from './request-screen.interceptor';
import { exceedsJsonDepth } from '../json-depth';
import { createValidationPipe } from './validation';
import { PlatformConfig } from '../config/platform-config';
import { ConfigError, loadConfig } from '../config/load-config';

export interface HttpAppOptions {
  title: string;
  description: string;
  /** Largest accepted request body in bytes; bigger ones get a 413. */
  bodyLimit?: number;
}

/** Deeper than any request contract nests; deeper bodies are refused before they are parsed. */
const MAX_JSON_DEPTH = 32;

/** Longest path parameter a route takes (Fastify's router refuses longer ones before routing). */
const MAX_PATH_PARAMETER_LENGTH = 100;

// What Fastify's router refuses before any route runs (a malformed or over-long path), answered
// like every other error: Fastify's own answer quotes the path, which may hold anything.
function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const statusCode = tooLong ? 414 : 400;
  void reply.status(statusCode).send({
    statusCode,
    code: tooLong ? 'URI_TOO_LONG' : 'BAD_URL',
    message: tooLong
      ? `A path parameter is longer than ${MAX_PATH_PARAMETER_LENGTH} characters`
      : 'The URL is not valid (malformed percent-encoding)',
    field: 'path',
  });
}

function bodyError(code: string, message: string): BadRequestException {
  return new BadRequestException({ code, message, field: 'body' });
}

/**
 * JSON bodies are refused past MAX_JSON_DEPTH (walking a 10,000-level document overflows the
 * stack) and parsed as Fastify does (prototype poisoning refused); any other media type is kept
 * as text, so that the route's own screen answers 415 naming what it takes.
 */
function registerBodyParsers(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(JSON_MEDIA_TYPE);
  fastify.addContentTypeParser(JSON_MEDIA_TYPE, { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '')
      return done(bodyError('BODY_REQUIRED', 'This route takes a JSON object as its body'));
    if (exceedsJsonDepth(text, MAX_JSON_DEPTH))
      return done(
        bodyError(
          'BODY_TOO_DEEP',
          `The body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`,
        ),
      );
    // Fastify's message for a syntax error quotes the body: ours names the problem only.
    parseJson(request, text, (error, json) =>
      error
        ? done(
            bodyError(
              'INVALID_JSON',
              'The body is not valid JSON (or names __proto__ or constructor.prototype)',
            ),
          )
        : done(null, json),
    );
  });
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
}

/** Builds an app the same way in production and in tests: Fastify, JSON logs, validation, errors, OpenAPI. */
export async function createHttpApp(
  module: DynamicModule,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({
      bodyLimit: options.bodyLimit ?? 1024 * 1024,
      frameworkErrors: frameworkErrors as FastifyServerOptions['frameworkErrors'],
    }),
    // Body parsers are ours (registerBodyParsers).
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  registerBodyParsers(app.getHttpAdapter().getInstance() as FastifyInstance);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorFilter(app.get(PlatformConfig).LOYALTY_CARD_PREFIX));
  app.enableShutdownHooks();
  const document = documentErrors(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle(options.title)
        .setDescription(options.description)
        .setVersion('1')
        .addApiKey({ type: 'apiKey', name: 'X-Api-Key', in: 'header' }, 'terminal')
        .addBearerAuth()
        .build(),
      { extraModels: [ErrorDto, FieldErrorDto] },
    ),
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
