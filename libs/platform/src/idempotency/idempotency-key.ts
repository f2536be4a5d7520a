import { BadRequestException, ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';

const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,64}$/;
const RULE = 'must be 1 to 64 printable ASCII characters, no spaces';

function headerError(message: string): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    code: 'VALIDATION_FAILED',
    message: `idempotency-key ${message}`,
    errors: [{ field: 'idempotency-key', messages: [message] }],
  });
}

/**
 * The `Idempotency-Key` header: 1 to 64 printable ASCII characters, or a 400 naming it. Optional
 * (undefined when absent) unless `required`.
 */
export const IdempotencyKey = createParamDecorator(
  (options: { required?: boolean } | undefined, ctx: ExecutionContext): string | undefined => {
    const value = ctx.switchToHttp().getRequest<FastifyRequest>().headers['idempotency-key'];
    if (value === undefined) {
      if (options?.required) throw headerError(`is required; ${RULE}`);
      return undefined;
    }
    if (typeof value === 'string' && IDEMPOTENCY_KEY.test(value)) return value;
    throw headerError(RULE);
  },
);

/** JSON with every object's keys sorted: equal for equal data, whatever the order written. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** What a request finds of its idempotency key. */
export type KeyClaim<Row> =
  /** The key was free: this request is the first, and holds it until its transaction ends. */
  | { kind: 'first' }
  /** The key's first request, with the same body: answer as it did. */
  | { kind: 'retry'; earlier: Row }
  /** The key's first request had another body. */
  | { kind: 'reused'; earlier: Row }
  /** The key is free, but another unique constraint of the table refused the row. */
  | { kind: 'taken-otherwise' };

/**
 * Claims an idempotency key inside the caller's transaction: inserts `row` into `table` (whose
 * unique index on `keyColumns` is the key) unless it is taken. A request in flight with the same
 * key holds it: the insert waits until that one commits, then finds its row (or takes the key if
 * it rolled back), so concurrent twins get one effect and the same answer. The rows keep the
 * body's hash in `hashColumn`; `table` and the columns are the caller's constants, never input.
 */
export async function claimIdempotencyKey<Row extends Record<string, unknown>>(
  m: EntityManager,
  table: string,
  keyColumns: readonly string[],
  hashColumn: string,
  row: Record<string, unknown>,
): Promise<KeyClaim<Row>> {
  const columns = Object.keys(row);
  const inserted: unknown[] = await m.query(
    `INSERT INTO ${table} (${columns.join(', ')})
     VALUES (${columns.map((_c, n) => `$${n + 1}`).join(', ')})
     ON CONFLICT DO NOTHING RETURNING 1`,
    columns.map((c) => row[c]),
  );
  if (inserted.length > 0) return { kind: 'first' };
  const [earlier]: Row[] = await m.query(
    `SELECT * FROM ${table} WHERE ${keyColumns.map((c, n) => `${c} = $${n + 1}`).join(' AND ')}`,
    keyColumns.map((c) => row[c]),
  );
  if (!earlier) return { kind: 'taken-otherwise' };
  return earlier[hashColumn] === row[hashColumn]
    ? { kind: 'retry', earlier }
    : { kind: 'reused', earlier };
}
