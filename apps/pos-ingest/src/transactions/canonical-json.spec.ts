import { PosTransaction } from '@loyalty/domain';
import fc from 'fast-check';
import stableStringify from 'fast-json-stable-stringify';
import { FULL_TRANSACTION } from '../../../../test/support/factories';
import { canonicalJson, transactionRecordedJson } from './canonical-json';
import { SchemaObject } from 'ajv';
import { RECORD_TRANSACTION_SCHEMA } from './transaction.schema';

function keysAtAnyDepth(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysAtAnyDepth);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => [key, ...keysAtAnyDepth(item)]);
  return [];
}

function fieldNames(schema: SchemaObject): string[] {
  const properties = Object.entries((schema.properties ?? {}) as Record<string, SchemaObject>);
  return [
    ...properties.flatMap(([name, property]) => [name, ...fieldNames(property)]),
    ...(schema.items ? fieldNames(schema.items as SchemaObject) : []),
  ];
}

/** The same value with every object's keys in an order drawn from `random`. */
function shuffled(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((item) => shuffled(item, random));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(() => random() - 0.5);
    return Object.fromEntries(entries.map(([key, item]) => [key, shuffled(item, random)]));
  }
  return value;
}

// Any text: quotes, backslashes, control characters, surrogate pairs and lone surrogates.
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
);
const cents = fc.integer({ min: -1e12, max: 1e12 });
/** An optional field: absent, null (class-validator lets it be) or set. */
const optional = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: null });
const shape = <T extends Record<string, fc.Arbitrary<unknown>>>(required: T, more: T) =>
  fc.record(
    { ...required, ...Object.fromEntries(Object.entries(more).map(([k, v]) => [k, optional(v)])) },
    { requiredKeys: Object.keys(required) },
  );

/** Transactions of the contract's shape, with values the contract may or may not accept. */
const transaction = shape(
  {
    posTransactionId: text,
    storeId: text,
    terminalId: text,
    cashierId: text,
    businessDate: text,
    occurredAt: text,
    type: fc.constantFrom('sale', 'return', 'void'),
    lines: fc.array(
      shape(
        {
          sku: text,
          department: text,
          quantity: fc.double({ noNaN: true, noDefaultInfinity: true }),
          unitPriceCents: cents,
          amountCents: cents,
        },
        {
          description: text,
          category: text,
          brand: text,
          discounts: fc.array(shape({ source: text, amountCents: cents }, { reference: text }), {
            maxLength: 2,
          }),
        },
      ),
      { maxLength: 3 },
    ),
    tenders: fc.array(fc.record({ type: text, amountCents: cents }), { maxLength: 2 }),
    totalCents: cents,
  },
  {
    originalPosTransactionId: text,
    cardNumber: text,
    appliedOffers: fc.array(shape({ code: text, discountCents: cents }, { redemptionId: text }), {
      maxLength: 2,
    }),
  },
);

describe('canonicalJson', () => {
  it('covers the whole contract with the sample', () => {
    expect([...new Set(keysAtAnyDepth(FULL_TRANSACTION))].sort()).toEqual(
      [...new Set(fieldNames(RECORD_TRANSACTION_SCHEMA))].sort(),
    );
  });

  it('keeps every field and value', () => {
    expect(JSON.parse(canonicalJson(FULL_TRANSACTION))).toEqual(FULL_TRANSACTION);
    expect(canonicalJson(FULL_TRANSACTION)).toBe(stableStringify(FULL_TRANSACTION));
  });

  it('writes the text fast-json-stable-stringify writes, whatever the order of the fields, so earlier receipts still match', () => {
    fc.assert(
      fc.property(transaction, fc.integer(), (tx, seed) => {
        let state = seed;
        const random = () =>
          ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) & 0xffff) / 0x10000;
        expect(canonicalJson(shuffled(tx, random) as PosTransaction)).toBe(stableStringify(tx));
      }),
      { numRuns: 300 },
    );
  });

  it('becomes a transaction-recorded message with one more field', () => {
    const receivedAt = new Date('2026-11-20T22:42:11.123Z');
    expect(
      JSON.parse(transactionRecordedJson(canonicalJson(FULL_TRANSACTION), receivedAt)),
    ).toEqual({
      ...FULL_TRANSACTION,
      receivedAt: '2026-11-20T22:42:11.123Z',
    });
  });
});
