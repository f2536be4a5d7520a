import { parseSettlementTransaction } from './settlement.dto';

const sale = {
  storeId: 'store-1',
  posTransactionId: 'tx-1',
  terminalId: 'lane-1',
  type: 'sale',
  occurredAt: '2026-11-20T17:42:10-05:00',
  totalCents: 800,
  cardNumber: '9800000000009061',
  lines: [{ sku: 'a', department: 'X', quantity: 1, unitPriceCents: 800, amountCents: 800 }],
};
const message = (value: object) => Buffer.from(JSON.stringify(value));

describe('parseSettlementTransaction', () => {
  it('passes over a sale that names no offer, or only offers the lane redeemed', () => {
    expect(parseSettlementTransaction(message(sale))).toBeNull();
    expect(
      parseSettlementTransaction(
        message({
          ...sale,
          appliedOffers: [{ code: 'A1', redemptionId: 'r-1', discountCents: 5 }],
        }),
      ),
    ).toBeNull();
  });

  it('reads a sale with an offline offer, a void and a return', () => {
    const offline = { ...sale, appliedOffers: [{ code: 'A1', discountCents: 5 }] };
    expect(parseSettlementTransaction(message(offline))).toMatchObject({ type: 'sale' });
    const voided = { ...sale, type: 'void', originalPosTransactionId: 'tx-0', totalCents: 0 };
    expect(parseSettlementTransaction(message(voided))).toMatchObject({ type: 'void' });
    const returned = { ...sale, type: 'return', originalPosTransactionId: 'tx-0' };
    expect(parseSettlementTransaction(message(returned))).toMatchObject({ type: 'return' });
  });

  it('takes a void that breaks the contract for poison', () => {
    expect(() =>
      parseSettlementTransaction(message({ ...sale, type: 'void', totalCents: -1 })),
    ).toThrow('totalCents');
  });
});
