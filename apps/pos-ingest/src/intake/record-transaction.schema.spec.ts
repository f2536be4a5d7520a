import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import fc from 'fast-check';
import { FULL_TRANSACTION } from '../../../../test/support/factories';
import { RecordTransactionDto, TransactionRecordedDto } from './record-transaction.dto';
import {
  isRecordTransaction,
  isTransactionRecorded,
  toRecordTransactionDto,
} from './record-transaction.schema';

// The compiled contract is a fast path only: whatever it accepts, the class-validator DTOs must
// accept too (it may refuse more; class-validator then decides).

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const full = JSON.parse(JSON.stringify(FULL_TRANSACTION)) as Json;

const NASTY: Json[] = [
  null,
  true,
  0,
  -1,
  1,
  1.5,
  -0.5,
  99_999_999.5,
  100_000_000,
  100_000_001,
  -100_000_000,
  1_000_000,
  1_000_000.1,
  1e300,
  '',
  ' ',
  '\uFE0F',
  '\uFE0E\uFE0F',
  'a\uFE0F',
  '😀',
  '\uD800',
  'a\nb',
  'a\u0000',
  'a\u007F',
  'x'.repeat(32),
  'x'.repeat(33),
  'x'.repeat(64),
  'x'.repeat(65),
  '😀'.repeat(64),
  '😀'.repeat(33),
  'x'.repeat(100),
  'x'.repeat(101),
  'x'.repeat(200),
  'x'.repeat(201),
  'A-1:2.b_c',
  'a b',
  'é',
  '2026-02-29',
  '2024-02-29',
  '2026-13-01',
  '2026-1-1',
  '2026-11-20T17:42:10',
  '2026-11-20T17:42:10Z',
  '2026-11-20T17:42:10.123+05:30',
  '2026-11-20T25:42:10Z',
  '2026-11-20 17:42:10Z',
  '2026-W47-5',
  '2026-324',
  'sale',
  'void',
  'return',
  'cash',
  'promotion',
  'manual',
  'Sale',
  '9800000000009061',
  '9800000000009062',
  '4111111111111111',
  '98000000000',
  'K7Q2M9XD4T',
  'k7q2',
  'X'.repeat(33),
  [],
  [1],
  [{}],
  {},
  { a: 1 },
];

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Every place a mutation can hit: [container path, key]. */
function places(value: Json, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value))
    return [
      ...value.flatMap((item, i) => [[...path, i], ...places(item, [...path, i])]),
      [...path, value.length],
    ];
  if (value && typeof value === 'object')
    return [
      ...Object.entries(value).flatMap(([key, item]) => [
        [...path, key],
        ...places(item, [...path, key]),
      ]),
      [...path, 'extra'],
      [...path, '__proto__'],
      [...path, 'constructor'],
    ];
  return [];
}

function mutate(base: Json, path: (string | number)[], to: Json | undefined): Json {
  const copy = clone(base);
  let container = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) container = container[key] as Record<string | number, Json>;
  const key = path[path.length - 1];
  if (to === undefined) {
    if (Array.isArray(container)) container.splice(Number(key), 1);
    else delete container[key];
  } else Object.defineProperty(container, key, { value: to, enumerable: true, writable: true });
  return copy;
}

const intakeAccepts = (json: object) =>
  validateSync(plainToInstance(RecordTransactionDto, json), {
    whitelist: true,
    forbidNonWhitelisted: true,
  }).length === 0;
const projectorAccepts = (json: object) =>
  validateSync(plainToInstance(TransactionRecordedDto, json)).length === 0;

describe('the compiled transaction contract', () => {
  const minimal: Json = {
    posTransactionId: 'a',
    storeId: 's',
    terminalId: 't',
    cashierId: 'c',
    businessDate: '2024-02-29',
    occurredAt: '2024-02-29T00:00:00Z',
    type: 'void',
    lines: [],
    tenders: [],
    totalCents: 0,
  };

  it('accepts what the DTOs accept on the usual path, and builds the same DTO', () => {
    for (const json of [full, minimal]) {
      expect(intakeAccepts(json as object)).toBe(true);
      expect(isRecordTransaction(clone(json))).toBe(true);
      const recorded = {
        ...(clone(json) as object),
        receivedAt: '2026-11-20T22:42:11.000Z',
        extra: 1,
      };
      expect(projectorAccepts(recorded)).toBe(true);
      expect(isTransactionRecorded(recorded)).toBe(true);
      const fast = toRecordTransactionDto(clone(json) as unknown as RecordTransactionDto);
      const slow = plainToInstance(RecordTransactionDto, clone(json));
      expect(fast).toStrictEqual(slow);
      expect(JSON.stringify(fast)).toBe(JSON.stringify(slow));
      expect(Object.keys(fast)).toEqual(Object.keys(slow));
      expect(Object.keys(fast.lines[0] ?? {})).toEqual(Object.keys(slow.lines[0] ?? {}));
    }
  });

  const bases: Json[] = [full, minimal, { ...(full as object), type: 'sale' }];
  const all = bases.flatMap((base) => places(base).map((path) => ({ base, path })));
  const check = (json: Json) => {
    if (!json || typeof json !== 'object' || Array.isArray(json)) return;
    if (isRecordTransaction(clone(json))) expect(intakeAccepts(clone(json))).toBe(true);
    const recorded = { ...clone(json), receivedAt: '2026-11-20T22:42:11.000Z' };
    if (isTransactionRecorded(recorded)) expect(projectorAccepts(clone(recorded))).toBe(true);
  };

  it('never accepts what the DTOs refuse: any one field changed or removed', () => {
    for (const { base, path } of all) {
      for (const to of [...NASTY, undefined]) check(mutate(base, path, to));
    }
  });

  it('never accepts what the DTOs refuse: a few changes at once', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.nat(all.length - 1),
            fc.option(fc.constantFrom(...NASTY), { nil: undefined }),
          ),
          { minLength: 1, maxLength: 3 },
        ),
        (mutations) => {
          let json = clone(all[mutations[0][0]].base);
          for (const [at, to] of mutations) {
            const { path } = all[at];
            try {
              json = mutate(json, path, to);
            } catch {
              // the path is gone after an earlier mutation
            }
          }
          check(json);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('refuses arrays longer than the DTOs allow', () => {
    const base = clone(full) as { [key: string]: Json[] } & { lines: { [key: string]: Json[] }[] };
    const tooLong = [
      { ...base, lines: Array.from({ length: 1_001 }, () => base.lines[1]) },
      { ...base, tenders: Array.from({ length: 21 }, () => base.tenders[0]) },
      { ...base, appliedOffers: Array.from({ length: 51 }, () => base.appliedOffers[0]) },
      {
        ...base,
        lines: [{ ...base.lines[0], discounts: Array(21).fill(base.lines[0].discounts[0]) }],
      },
    ];
    for (const json of tooLong) {
      expect(intakeAccepts(json)).toBe(false);
      expect(isRecordTransaction(json)).toBe(false);
    }
  });

  it('refuses a message without a valid receivedAt', () => {
    for (const receivedAt of [undefined, '', 'yesterday', '2026-11-20T25:00:00Z', 5]) {
      const message = { ...(clone(full) as object), receivedAt };
      expect(isTransactionRecorded(message)).toBe(false);
    }
  });
});
