import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { fieldError } from './field-error';

const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,64}$/;

/** The optional `Idempotency-Key` header: 1 to 64 printable ASCII characters, or a 400. */
export const IdempotencyKey = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string | undefined => {
    const value = ctx.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'];
    if (value === undefined) return undefined;
    if (typeof value === 'string' && IDEMPOTENCY_KEY.test(value)) return value;
    throw fieldError('idempotency-key', 'must be 1 to 64 printable ASCII characters, no spaces');
  },
);
