import fc from 'fast-check';
import { FULL_TRANSACTION } from '../../../../test/support/factories';
import { parseTransaction, parseTransactionRecorded } from './parse-transaction';

// One judge for the intake and the projector: whatever the intake accepts, the projector accepts.

const RULES = { loyaltyCardPrefix: '98', clockSkewMs: 300_000 };
const RECEIVED_AT = new Date('2026-11-20T22:42:11.000Z');

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

const intakeAccepts = (json: Json) => parseTransaction(clone(json), RECEIVED_AT, RULES).ok;
const asMessage = (json: Json) => ({
  ...(clone(json) as object),
  receivedAt: RECEIVED_AT.toISOString(),
});

describe('the transaction contract', () => {
  const minimal: Json = {
    posTransactionId: 'a',
    storeId: 's',
    terminalId: 't',
    cashierId: 'c',
    businessDate: '2024-02-29',
    occurredAt: '2024-02-29T00:00:00Z',
    type: 'void',
    originalPosTransactionId: 'b',
    lines: [],
    tenders: [],
    totalCents: 0,
  };

  it('accepts a full and a minimal transaction, as a request and as a message', () => {
    for (const json of [full, minimal]) {
      expect(parseTransaction(clone(json), RECEIVED_AT, RULES)).toEqual({
        ok: true,
        tx: clone(json),
      });
      expect(parseTransactionRecorded({ ...asMessage(json), extra: 1 }, RULES).ok).toBe(true);
    }
  });

  const bases: Json[] = [full, minimal, { ...(full as object), type: 'sale' }];
  const all = bases.flatMap((base) => places(base).map((path) => ({ base, path })));
  const check = (json: Json) => {
    if (intakeAccepts(json)) expect(parseTransactionRecorded(asMessage(json), RULES).ok).toBe(true);
  };

  it('the projector accepts whatever the intake accepts: any one field changed or removed', () => {
    for (const { base, path } of all) {
      for (const to of [...NASTY, undefined]) check(mutate(base, path, to));
    }
  });

  it('the projector accepts whatever the intake accepts: a few changes at once', () => {
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

  const line0 = (full as { lines: Json[] }).lines[0] as { [key: string]: Json };
  const withLine = (changes: { [key: string]: Json }) => ({
    ...(full as object),
    lines: [{ ...line0, ...changes }, (full as { lines: Json[] }).lines[1]],
  });
  it.each<[string, unknown, string, string]>([
    [
      'null card number',
      { ...(full as object), cardNumber: null },
      'VALIDATION_FAILED',
      'cardNumber',
    ],
    [
      'nested empty discounts',
      withLine({ discounts: [[]] }),
      'VALIDATION_FAILED',
      'lines[0].discounts[0]',
    ],
    [
      'nested empty offers',
      { ...(full as object), appliedOffers: [[]] },
      'VALIDATION_FAILED',
      'appliedOffers[0]',
    ],
    ['lone surrogate in a SKU', withLine({ sku: 'a\uD800' }), 'VALIDATION_FAILED', 'lines[0].sku'],
    [
      'constructor field',
      { ...(full as object), constructor: { prototype: {} } },
      'VALIDATION_FAILED',
      'constructor',
    ],
    [
      'missing cashier',
      { ...(full as object), cashierId: undefined },
      'VALIDATION_FAILED',
      'cashierId',
    ],
    [
      'fractional cents',
      withLine({ amountCents: 1.5 }),
      'VALIDATION_FAILED',
      'lines[0].amountCents',
    ],
    [
      'a payment card in a description',
      withLine({ description: 'paid 4111111111111111' }),
      'PAYMENT_CARD_DATA',
      'lines[0].description',
    ],
    [
      'a payment card beside a shape error',
      withLine({ description: '4111111111111111', quantity: -1 }),
      'PAYMENT_CARD_DATA',
      'lines[0].description',
    ],
    [
      'a payment card as the loyalty card',
      { ...(full as object), cardNumber: '4111111111111111' },
      'PAYMENT_CARD_DATA',
      'cardNumber',
    ],
    ['an array', [], 'INVALID_JSON', ''],
  ])('refuses %s with %s naming %s, never echoing a value', (_name, json, code, field) => {
    const parsed = parseTransaction(clone(json), RECEIVED_AT, RULES);
    expect(parsed).toMatchObject({ ok: false, code });
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.field)).toContain(field);
    expect(JSON.stringify(parsed)).not.toContain('4111111111111111');
  });

  it('names at most 20 fields, however many are wrong', () => {
    const lines = Array.from({ length: 1_000 }, () => ({ ...line0, quantity: -1, sku: '' }));
    const parsed = parseTransaction({ ...(full as object), lines }, RECEIVED_AT, RULES);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors).toHaveLength(20);
  });

  it('refuses arrays longer than the contract allows, naming them', () => {
    const base = clone(full) as { [key: string]: Json[] } & { lines: { [key: string]: Json[] }[] };
    const tooLong: [Json, string][] = [
      [{ ...base, lines: Array.from({ length: 1_001 }, () => base.lines[1]) }, 'lines'],
      [{ ...base, tenders: Array.from({ length: 21 }, () => base.tenders[0]) }, 'tenders'],
      [
        { ...base, appliedOffers: Array.from({ length: 51 }, () => base.appliedOffers[0]) },
        'appliedOffers',
      ],
      [
        {
          ...base,
          lines: [{ ...base.lines[0], discounts: Array(21).fill(base.lines[0].discounts[0]) }],
        },
        'lines[0].discounts',
      ],
    ];
    for (const [json, field] of tooLong) {
      const parsed = parseTransaction(json, RECEIVED_AT, RULES);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.errors.map((e) => e.field)).toContain(field);
    }
  });

  it('refuses a message without a valid receivedAt', () => {
    for (const receivedAt of [undefined, '', 'yesterday', '2026-11-20T25:00:00Z', 5]) {
      const message = { ...(clone(full) as object), receivedAt };
      expect(parseTransactionRecorded(message, RULES).ok).toBe(false);
    }
  });
});
