import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

export const NDJSON = 'application/x-ndjson';
/** A day of one lane's buffered sales fits well within this. */
export const BULK_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

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
