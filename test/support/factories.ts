import { PosTransaction, TransactionLine, luhnCheckDigit } from '@loyalty/domain';
import { randomInt, randomUUID } from 'node:crypto';

/** A fresh, valid loyalty card number (16 digits starting with our prefix 98). */
export function makeCardNumber(): string {
  const body = `98${String(randomInt(1e9)).padStart(9, '0')}${String(randomInt(1e4)).padStart(4, '0')}`;
  return `${body}${luhnCheckDigit(body)}`;
}

export function makeLine(overrides: Partial<TransactionLine> = {}): TransactionLine {
  return {
    sku: 'sku-milk',
    department: 'DAIRY',
    quantity: 1,
    unitPriceCents: 250,
    amountCents: 250,
    ...overrides,
  };
}

/** A sale whose total and tenders add up; pass `totalCents` to make one whose lines do not. */
export function makeTransaction(overrides: Partial<PosTransaction> = {}): PosTransaction {
  const lines = overrides.lines ?? [
    makeLine(),
    makeLine({ sku: 'sku-apple', department: 'PRODUCE', amountCents: 120, unitPriceCents: 120 }),
  ];
  const totalCents = lines.reduce((sum, l) => sum + l.amountCents, 0);
  return {
    posTransactionId: `tx-${randomUUID()}`,
    storeId: 'store-1',
    terminalId: 'lane-1',
    cashierId: 'cashier-1',
    businessDate: '2026-11-20',
    occurredAt: '2026-11-20T17:42:10-05:00',
    type: 'sale',
    cardNumber: makeCardNumber(),
    totalCents,
    tenders: [{ type: 'card', amountCents: overrides.totalCents ?? totalCents }],
    ...overrides,
    lines,
  };
}

/** A return with every field of the v1 contract, at every depth. */
export const FULL_TRANSACTION: PosTransaction = {
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
      description: 'Gouda, sliced',
      department: 'DAIRY',
      category: 'CHEESE',
      brand: 'National',
      quantity: 0.532,
      unitPriceCents: 846,
      amountCents: 400,
      discounts: [
        { source: 'promotion', amountCents: 50, reference: 'PROMO-2FOR1' },
        { source: 'coupon', amountCents: 1 },
      ],
    },
    { sku: 'b', department: 'MEAT', quantity: 2, unitPriceCents: 500, amountCents: 1_000 },
  ],
  tenders: [{ type: 'card', amountCents: 1_400 }],
  appliedOffers: [{ code: 'K7Q2M9XD4T', redemptionId: 'r-1', discountCents: 45 }],
  totalCents: 1_400,
};

/** A department name no other test uses, so rules of concurrent tests never match each other's shoppers. */
export function makeDepartment(): string {
  return `DEPT-${randomUUID().slice(0, 8)}`;
}

/**
 * A `POST /v1/rules` body (the versioned model): 10% off `department` for households whose
 * lifetime spend there reached `atLeast` (5.00 unless said), judged on each profile change.
 */
export function makeRule(department: string, { atLeast = 500 } = {}) {
  return {
    name: `Department lovers ${department}`,
    trigger: { kind: 'profileChange' },
    audience: { fact: 'productSpend', item: { department }, atLeast },
    reward: { kind: 'percentOff', percent: 10, target: { department } },
    validity: { from: '2026-01-01T00:00:00Z', until: '2099-01-01T00:00:00Z' },
    offerValidDays: 14,
    budgetCents: 100_000,
    priority: 10,
    stacking: 'stackable',
  };
}
