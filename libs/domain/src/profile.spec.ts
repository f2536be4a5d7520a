import fc from 'fast-check';
import { applyTransaction, emptyProfile } from './profile';
import { PosTransaction } from './transaction';

function tx(id: string, occurredAt: string, lines: [string, number][]): PosTransaction {
  const txLines = lines.map(([department, amountCents], i) => ({
    sku: `sku-${i}`,
    department,
    quantity: 1,
    unitPriceCents: amountCents,
    amountCents,
  }));
  return {
    posTransactionId: id,
    storeId: 'store-1',
    terminalId: 'lane-1',
    cardNumber: '9000000000019',
    occurredAt,
    lines: txLines,
    totalCents: txLines.reduce((sum, l) => sum + l.amountCents, 0),
  };
}

describe('applyTransaction', () => {
  it('adds spend, visits and department spend and tracks first and last visit in UTC', () => {
    let profile = emptyProfile('s1');
    profile = applyTransaction(
      profile,
      tx('t1', '2026-03-02T09:00:00+01:00', [
        ['DAIRY', 250],
        ['PRODUCE', 100],
      ]),
    );
    profile = applyTransaction(profile, tx('t2', '2026-03-01T09:00:00-05:00', [['DAIRY', 50]]));
    expect(profile).toEqual({
      shopperId: 's1',
      lifetimeSpendCents: 400,
      visits: 2,
      firstVisitAt: '2026-03-01T14:00:00.000Z',
      lastVisitAt: '2026-03-02T08:00:00.000Z',
      spendByDepartmentCents: { DAIRY: 300, PRODUCE: 100 },
    });
  });

  it('ends in the same state whatever the order of arrival', () => {
    const arbTx = fc.record({
      at: fc.date({
        min: new Date('2020-01-01'),
        max: new Date('2030-01-01'),
        noInvalidDate: true,
      }),
      lines: fc.array(
        fc.tuple(
          fc.constantFrom('DAIRY', 'MEAT', 'PRODUCE'),
          fc.integer({ min: -500, max: 5_000 }),
        ),
        {
          minLength: 1,
          maxLength: 5,
        },
      ),
    });
    fc.assert(
      fc.property(fc.array(arbTx, { minLength: 1, maxLength: 10 }), (specs) => {
        const txs = specs.map((s, i) => tx(`t${i}`, s.at.toISOString(), s.lines));
        const forward = txs.reduce(applyTransaction, emptyProfile('s1'));
        const backward = [...txs].reverse().reduce(applyTransaction, emptyProfile('s1'));
        expect(backward).toEqual(forward);
      }),
    );
  });
});
