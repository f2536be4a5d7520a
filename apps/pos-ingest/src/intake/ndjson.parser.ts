import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

export const NDJSON = 'application/x-ndjson';
/** MAX_BULK_LINES receipts of 20 lines fit well within this; larger uploads get a 413. */
export const BULK_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

/** Lets Fastify take NDJSON bodies (bulk uploads) as text, with their own size limit (413 beyond). */
@Injectable()
export class NdjsonParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser(
      NDJSON,
      { parseAs: 'string', bodyLimit: BULK_BODY_LIMIT_BYTES },
      (_req, body, done) => done(null, body),
    );
  }
}
