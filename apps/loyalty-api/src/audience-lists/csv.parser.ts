import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

export const CSV = 'text/csv';
/** 500,000 household ids (36 characters) with CRLF take 19 MB; larger uploads get a 413. */
export const CSV_BODY_LIMIT_BYTES = 24 * 1024 * 1024;

/** Lets Fastify take CSV bodies (audience list members) as text, with their own size limit. */
@Injectable()
export class CsvParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser(
      CSV,
      { parseAs: 'string', bodyLimit: CSV_BODY_LIMIT_BYTES },
      (_req, body, done) => done(null, body),
    );
  }
}
