import { PosTransaction } from '@loyalty/domain';
import fc from 'fast-check';
import stableStringify from 'fast-json-stable-stringify';
import { FULL_TRANSACTION } from '../../../../test/support/factories';
import { canonicalJson, transactionRecordedJson } from './canonical-json';
import { CONTRACT_FIELDS } from './record-transaction.schema';

function keysAtAnyDepth(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysAtAnyDepth);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => [key, ...keysAtAnyDepth(item)]);
  return [];
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

describe('canonicalJson', () => {
  it('covers the whole contract with the sample', () => {
    expect([...new Set(keysAtAnyDepth(FULL_TRANSACTION))].sort()).toEqual(CONTRACT_FIELDS);
  });

  it('keeps every field and value', () => {
    expect(JSON.parse(canonicalJson(FULL_TRANSACTION))).toEqual(FULL_TRANSACTION);
  });

  it('writes the text fast-json-stable-stringify writes, whatever the order of the fields, so earlier receipts still match', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        let state = seed;
        const random = () =>
          ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) & 0xffff) / 0x10000;
        const tx = shuffled(FULL_TRANSACTION, random) as PosTransaction;
        expect(canonicalJson(tx)).toBe(stableStringify(FULL_TRANSACTION));
      }),
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
