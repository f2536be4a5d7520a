import fc from 'fast-check';
import { PosTransaction } from './transaction';
import {
  findPaymentCardNumbers,
  maskPaymentCardNumbers,
  validateTransaction,
} from './validate-transaction';

const now = new Date('2026-11-20T12:00:00Z');
const rules = { loyaltyCardPrefix: '98', clockSkewMs: 300_000 };
const sale: PosTransaction = {
  posTransactionId: 'lane-1:1',
  storeId: 'store-1',
  terminalId: 'lane-1',
  cashierId: 'c-1',
  businessDate: '2026-11-20',
  occurredAt: '2026-11-20T06:59:00-05:00',
  type: 'sale',
  cardNumber: '9800000000009061',
  lines: [
    { sku: 'a', department: 'DAIRY', quantity: 1, unitPriceCents: 300, amountCents: 300 },
    { sku: 'b', department: 'MEAT', quantity: 0.5, unitPriceCents: 1_000, amountCents: 500 },
  ],
  tenders: [{ type: 'card', amountCents: 800 }],
  totalCents: 800,
};
// A test PAN (Visa): Luhn-valid, not one of our cards.
const PAN = '4111111111111111';

describe('validateTransaction', () => {
  it('accepts a consistent sale, an anonymous one, a return and a void', () => {
    expect(validateTransaction(sale, now, rules)).toEqual([]);
    expect(validateTransaction({ ...sale, cardNumber: undefined }, now, rules)).toEqual([]);
    expect(
      validateTransaction(
        { ...sale, type: 'return', originalPosTransactionId: 'lane-1:0' },
        now,
        rules,
      ),
    ).toEqual([]);
    const voidTx = {
      ...sale,
      type: 'void' as const,
      originalPosTransactionId: 'lane-1:0',
      lines: [],
      tenders: [],
      totalCents: 0,
    };
    expect(validateTransaction(voidTx, now, rules)).toEqual([]);
  });

  it.each<[string, Partial<PosTransaction>, string, string]>([
    [
      'totals that do not add up',
      { totalCents: 801, tenders: [{ type: 'card', amountCents: 801 }] },
      'totalCents',
      'equalsSumOfLines',
    ],
    [
      'tenders that do not add up',
      { tenders: [{ type: 'cash', amountCents: 700 }] },
      'tenders',
      'equalsTotal',
    ],
    ['a sale without lines', { lines: [], totalCents: 0, tenders: [] }, 'lines', 'notEmpty'],
    [
      'a timestamp beyond the clock skew',
      { occurredAt: '2026-11-20T12:05:01Z' },
      'occurredAt',
      'notInFuture',
    ],
    ['a return without its original', { type: 'return' }, 'originalPosTransactionId', 'required'],
    [
      'a sale naming an original',
      { originalPosTransactionId: 'x' },
      'originalPosTransactionId',
      'onlyForReturnsAndVoids',
    ],
    ['a void with lines', { type: 'void', originalPosTransactionId: 'x' }, 'lines', 'emptyForVoid'],
    ['a payment card as loyalty card', { cardNumber: PAN }, 'cardNumber', 'noPaymentCardData'],
    ['a card that is not ours', { cardNumber: '123456789031' }, 'cardNumber', 'loyaltyCard'],
  ])('refuses %s', (_name, change, field, rule) => {
    expect(validateTransaction({ ...sale, ...change }, now, rules)).toContainEqual(
      expect.objectContaining({ field, rule }),
    );
  });

  it('accepts a timestamp within the clock skew', () => {
    expect(
      validateTransaction({ ...sale, occurredAt: '2026-11-20T12:04:59Z' }, now, rules),
    ).toEqual([]);
  });

  it('never echoes the card number it found', () => {
    const [violation] = validateTransaction({ ...sale, cardNumber: PAN }, now, rules);
    expect(JSON.stringify(violation)).not.toContain(PAN);
  });
});

describe('findPaymentCardNumbers', () => {
  it.each([
    [{ lines: [{ description: `paid with ${PAN}` }] }, ['lines[0].description']],
    [{ note: '4111 1111 1111 1111' }, ['note']],
    [{ note: '4111-1111-1111-1111' }, ['note']],
    [{ card: '9800000000009061' }, []],
    [{ sku: '4111111111111112' }, []],
    [{ nested: { deeper: [PAN] } }, ['nested.deeper[0]']],
    [{ amex: '3782 822463 10005' }, ['amex']],
    // Digit groups of a UUID are not a card number, even when they pass Luhn joined together.
    [{ id: 'tx-41111111-1111-1111-1111-111111111111' }, []],
    [{ id: '41111111111111111111' }, []],
    // Nor a run of its groups that its hex letters cut short (these pass Luhn).
    [{ id: 'tx-784fa4c2-2943-4203-8805-744e206512c3' }, []],
    [{ id: 'tx-2fad7efb-4451-4657-8825-6e303855742d' }, []],
    [{ note: 'paid 4111 1111 1111 1111, thanks' }, ['note']],
  ])('in %j finds %j', (payload, fields) => {
    expect(findPaymentCardNumbers(payload, '98')).toEqual(fields);
  });

  it('walks 64 levels deep and no deeper, so a 10,000-level document cannot overflow the stack', () => {
    const nest = (depth: number, inner: unknown): unknown =>
      Array.from({ length: depth }).reduce<unknown>((value) => ({ a: value }), inner);
    expect(findPaymentCardNumbers(nest(60, PAN), '98')).toHaveLength(1);
    expect(findPaymentCardNumbers(nest(10_000, PAN), '98')).toEqual([]);
  });

  it('finds none in a UUID, whatever its digits', () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => {
        expect(findPaymentCardNumbers({ id: `tx-${id}`, note: id.toUpperCase() }, '98')).toEqual(
          [],
        );
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('maskPaymentCardNumbers', () => {
  it.each([
    [`/v1/rules?q=${PAN}`, '/v1/rules?q=****1111'],
    ['paid 4111 1111 1111 1111, thanks', 'paid ****1111, thanks'],
    [`${PAN} and 3782 822463 10005`, '****1111 and ****0005'],
    ['card 9800000000009061', 'card 9800000000009061'],
    ['sku 4111111111111112', 'sku 4111111111111112'],
    ['tx-784fa4c2-2943-4203-8805-744e206512c3', 'tx-784fa4c2-2943-4203-8805-744e206512c3'],
  ])('masks %s as %s', (text, masked) => {
    expect(maskPaymentCardNumbers(text, '98')).toBe(masked);
  });

  it('leaves nothing findPaymentCardNumbers would find', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom(PAN, '4111 1111 1111 1111', ''),
        fc.string(),
        (a, pan, b) => {
          const masked = maskPaymentCardNumbers(`${a}${pan}${b}`, '98');
          expect(findPaymentCardNumbers({ masked }, '98')).toEqual([]);
        },
      ),
    );
  });
});
