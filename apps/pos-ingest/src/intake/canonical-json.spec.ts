import { PosTransaction } from '@loyalty/domain';
import fc from 'fast-check';
import stableStringify from 'fast-json-stable-stringify';
import { canonicalJson, transactionRecordedJson } from './canonical-json';
import { CONTRACT_FIELDS } from './record-transaction.schema';

/** A transaction with every field of the contract, at every depth. */
const full: PosTransaction = {
  posTransactionId: 'lane-3:000123',
  storeId: 'store-42',
  terminalId: 'lane-3',
  cashierId: 'cashier-17',
  businessDate: '2026-11-20',
  occurredAt: '2026-11-20T17:42:10-05:00',
  type: 'return',
  originalPosTransactionId: 'lane-3:000100',
  cardNumber: '9800000000009061',
  lines: [
    {
      sku: '1082185',
      description: 'Gouda, "sliced" \u00e9',
      department: 'DAIRY',
      category: 'CHEESE',
      brand: 'National',
      quantity: 0.532,
      unitPriceCents: 846,
      amountCents: 400,
      discounts: [{ source: 'promotion', amountCents: 50, reference: 'PROMO-2FOR1' }],
    },
    { sku: 'b', department: 'MEAT', quantity: 2, unitPriceCents: 500, amountCents: 1_000 },
  ],
  tenders: [{ type: 'card', amountCents: 1_400 }],
  appliedOffers: [{ code: 'K7Q2M9XD4T', redemptionId: 'r-1', discountCents: 45 }],
  totalCents: 1_400,
};

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
    expect([...new Set(keysAtAnyDepth(full))].sort()).toEqual(CONTRACT_FIELDS);
  });

  it('keeps every field and value', () => {
    expect(JSON.parse(canonicalJson(full))).toEqual(full);
  });

  it('writes the text fast-json-stable-stringify writes, whatever the order of the fields, so earlier receipts still match', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        let state = seed;
        const random = () =>
          ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) & 0xffff) / 0x10000;
        const tx = shuffled(full, random) as PosTransaction;
        expect(canonicalJson(tx)).toBe(stableStringify(full));
      }),
    );
  });

  it('becomes a transaction-recorded message with one more field', () => {
    const receivedAt = new Date('2026-11-20T22:42:11.123Z');
    expect(JSON.parse(transactionRecordedJson(canonicalJson(full), receivedAt))).toEqual({
      ...full,
      receivedAt: '2026-11-20T22:42:11.123Z',
    });
  });
});
