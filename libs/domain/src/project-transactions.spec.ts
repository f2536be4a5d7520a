import fc from 'fast-check';
import {
  ProfileEffect,
  StoredTransaction,
  addProfileEffects,
  applyProfileEffect,
  planBatchChanges,
  planProjection,
  pointsFor,
  profileEffect,
  storeDayEffect,
  sumStoreDays,
} from './project-transactions';
import { emptyProfile } from './profile';
import { PosTransaction, transactionKey } from './transaction';

function tx(
  id: string,
  overrides: Partial<PosTransaction> = {},
  lines: [string, number][] = [['DAIRY', 1_050]],
): PosTransaction {
  const txLines = lines.map(([department, amountCents], i) => ({
    sku: `sku-${i}`,
    department,
    quantity: 1,
    unitPriceCents: amountCents,
    amountCents,
  }));
  const totalCents = txLines.reduce((sum, l) => sum + l.amountCents, 0);
  return {
    posTransactionId: id,
    storeId: 'store-1',
    terminalId: 'lane-1',
    cashierId: 'c-1',
    businessDate: '2026-03-02',
    occurredAt: '2026-03-02T09:00:00+01:00',
    type: 'sale',
    cardNumber: '9800000000000000',
    lines: txLines,
    tenders: [{ type: 'cash', amountCents: totalCents }],
    totalCents,
    ...overrides,
  };
}

const voidOf = (id: string, original: string): PosTransaction =>
  tx(
    id,
    { type: 'void', originalPosTransactionId: original, lines: [], tenders: [], totalCents: 0 },
    [],
  );

describe('pointsFor', () => {
  it.each([
    [1_050, 1, 10],
    [99, 1, 0],
    [1_050, 2, 21],
    [1_050, 0.5, 5],
  ])('%p cents at %p per unit earn %p points', (cents, rate, points) => {
    expect(pointsFor(cents, rate)).toBe(points);
  });
});

describe('profileEffect', () => {
  it('counts a sale as spend, a visit and points', () => {
    expect(
      profileEffect(
        tx('t1', {}, [
          ['DAIRY', 300],
          ['MEAT', 750],
        ]),
        1,
        1,
      ),
    ).toEqual({
      spendCents: 1_050,
      visits: 1,
      spendByDepartmentCents: { DAIRY: 300, MEAT: 750 },
      points: 10,
      visitedAt: ['2026-03-02T08:00:00.000Z'],
    });
  });

  it('reverses spend and points of a return in proportion to what it refunds, without a visit', () => {
    const effect = profileEffect(
      tx('r1', { type: 'return', originalPosTransactionId: 't1' }, [['DAIRY', 525]]),
      1,
      1,
    );
    expect(effect).toMatchObject({ spendCents: -525, visits: 0, points: -5, visitedAt: [] });
    expect(effect.spendByDepartmentCents).toEqual({ DAIRY: -525 });
  });

  it('takes a voided sale back entirely', () => {
    expect(profileEffect(tx('t1'), -1, 1)).toMatchObject({
      spendCents: -1_050,
      visits: -1,
      points: -10,
      visitedAt: [],
    });
  });
});

describe('storeDayEffect', () => {
  it.each([
    [
      'a member sale',
      tx('t1'),
      1,
      { sales: 1, returns: 0, anonymousSales: 0, salesCents: 1_050, returnsCents: 0 },
    ],
    [
      'an anonymous sale',
      tx('t1', { cardNumber: undefined }),
      1,
      { sales: 1, anonymousSales: 1, salesCents: 1_050 },
    ],
    [
      'a return',
      tx('r1', { type: 'return', originalPosTransactionId: 't1' }),
      1,
      { sales: 0, returns: 1, returnsCents: 1_050 },
    ],
    ['a voided sale', tx('t1'), -1, { sales: -1, salesCents: -1_050 }],
  ] as const)('counts %s on its business date', (_name, transaction, sign, expected) => {
    expect(storeDayEffect(transaction, sign)).toMatchObject({
      storeId: 'store-1',
      businessDate: '2026-03-02',
      ...expected,
    });
  });

  it('sums effects by store and day', () => {
    const days = sumStoreDays([
      storeDayEffect(tx('a'), 1),
      storeDayEffect(tx('b'), 1),
      storeDayEffect(tx('c', { businessDate: '2026-03-03' }), 1),
    ]);
    expect(days.map((d) => [d.businessDate, d.sales, d.salesCents])).toEqual([
      ['2026-03-02', 2, 2_100],
      ['2026-03-03', 1, 1_050],
    ]);
  });
});

describe('planProjection', () => {
  const stored = (...txs: PosTransaction[]) =>
    new Map<string, StoredTransaction>(
      txs.map((t) => [transactionKey(t), { tx: t, voided: false }]),
    );
  const summary = (plan: ReturnType<typeof planProjection>) => ({
    effects: plan.effects.map((e) => [e.tx.posTransactionId, e.sign, e.cause.posTransactionId]),
    voided: plan.voided,
  });

  it.each([
    [
      'new sales apply',
      [tx('t1'), tx('t2')],
      stored(),
      new Set<string>(),
      [
        ['t1', 1, 't1'],
        ['t2', 1, 't2'],
      ],
      [],
    ],
    [
      'a void takes back a stored sale',
      [voidOf('v1', 't1')],
      stored(tx('t1')),
      new Set<string>(),
      [['t1', -1, 'v1']],
      ['store-1:t1'],
    ],
    [
      'a sale and its void in one batch cancel out',
      [tx('t1'), voidOf('v1', 't1')],
      stored(tx('t1')),
      new Set<string>(),
      [],
      ['store-1:t1'],
    ],
    [
      'a sale voided by an earlier void never applies',
      [tx('t1')],
      stored(),
      new Set(['store-1:t1']),
      [],
      ['store-1:t1'],
    ],
    [
      'a void of an unknown transaction waits',
      [voidOf('v1', 't9')],
      stored(),
      new Set<string>(),
      [],
      [],
    ],
    [
      'a second void changes nothing',
      [voidOf('v1', 't1'), voidOf('v2', 't1')],
      stored(tx('t1')),
      new Set<string>(),
      [['t1', -1, 'v1']],
      ['store-1:t1'],
    ],
    [
      'a void of a void changes nothing',
      [voidOf('v2', 'v1')],
      stored(voidOf('v1', 't1')),
      new Set<string>(),
      [],
      [],
    ],
  ])('%s', (_name, fresh, storedTxs, voidedEarlier, effects, voided) => {
    expect(summary(planProjection(fresh, storedTxs, voidedEarlier))).toEqual({ effects, voided });
  });

  it('leaves a voided transaction alone', () => {
    const storedTxs = new Map([['store-1:t1', { tx: tx('t1'), voided: true }]]);
    expect(planProjection([voidOf('v2', 't1')], storedTxs, new Set()).effects).toEqual([]);
  });
});

describe('planBatchChanges', () => {
  const shopperOf = (t: PosTransaction) => (t.cardNumber ? `shopper-${t.cardNumber}` : null);

  it('sums effects per shopper, writes one ledger entry per cause, and counts store days', () => {
    const a = tx('a');
    const b = tx('b', {}, [['MEAT', 2_000]]);
    const anonymous = tx('c', { cardNumber: undefined });
    const changes = planBatchChanges(
      {
        effects: [
          { tx: a, sign: 1, cause: a },
          { tx: b, sign: 1, cause: b },
          { tx: anonymous, sign: 1, cause: anonymous },
        ],
        voided: [],
      },
      shopperOf,
      1,
    );
    expect([...changes.profiles.keys()]).toEqual(['shopper-9800000000000000']);
    expect(changes.profiles.get('shopper-9800000000000000')).toMatchObject({
      spendCents: 3_050,
      visits: 2,
      points: 30,
    });
    expect(changes.points.map((p) => [p.kind, p.points, p.sourceId])).toEqual([
      ['earn', 10, 'store-1:a'],
      ['earn', 20, 'store-1:b'],
    ]);
    expect(changes.visitsToRecount).toEqual([]);
    expect(changes.storeDays).toEqual([
      expect.objectContaining({ sales: 3, anonymousSales: 1, salesCents: 4_100 }),
    ]);
  });

  it('reverses the points of a voided sale under the void as cause, and recounts visits', () => {
    const sale = tx('a');
    const voidTx = tx('v', { type: 'void', originalPosTransactionId: 'a' }, []);
    const changes = planBatchChanges(
      { effects: [{ tx: sale, sign: -1, cause: voidTx }], voided: ['store-1:a'] },
      shopperOf,
      1,
    );
    expect(changes.points).toEqual([
      {
        shopperId: 'shopper-9800000000000000',
        cardNumber: '9800000000000000',
        kind: 'reverse',
        points: -10,
        sourceId: 'store-1:v',
        occurredAt: voidTx.occurredAt,
      },
    ]);
    expect(changes.visitsToRecount).toEqual(['shopper-9800000000000000']);
    expect(changes.recount).toEqual({
      shopperIds: ['shopper-9800000000000000'],
      weeks: [{ shopperId: 'shopper-9800000000000000', weekStart: '2026-03-02' }],
      stores: [{ shopperId: 'shopper-9800000000000000', storeId: 'store-1' }],
    });
    expect(changes.visitDays.size).toBe(0);
  });

  it('writes no ledger entry for a sale too small to earn a point', () => {
    const small = tx('s', {}, [['DAIRY', 99]]);
    const changes = planBatchChanges(
      { effects: [{ tx: small, sign: 1, cause: small }], voided: [] },
      shopperOf,
      1,
    );
    expect(changes.points).toEqual([]);
    expect(changes.profiles.size).toBe(1);
  });
});

describe('projecting in any order', () => {
  // Simulates the projector over arrival orders: the same transactions must give the same profile.
  function project(arrivals: PosTransaction[]) {
    const store = new Map<string, StoredTransaction>();
    const voids: PosTransaction[] = [];
    let profile = emptyProfile('s1');
    for (const t of arrivals) {
      const key = transactionKey(t);
      if (store.has(key)) continue;
      store.set(key, { tx: t, voided: false });
      if (t.type === 'void') voids.push(t);
      const voidedEarlier = new Set(
        voids.filter((v) => v !== t).map((v) => `${v.storeId}:${v.originalPosTransactionId}`),
      );
      const plan = planProjection([t], store, voidedEarlier);
      for (const key of plan.voided)
        store.set(key, { ...(store.get(key) as StoredTransaction), voided: true });
      const effect = plan.effects
        .map((e) => profileEffect(e.tx, e.sign, 1))
        .reduce<ProfileEffect | null>((sum, e) => (sum ? addProfileEffects(sum, e) : e), null);
      if (effect) profile = applyProfileEffect(profile, effect);
    }
    // First and last visit are recounted after voids, as the projector does.
    const visits = [...store.values()]
      .filter((s) => s.tx.type === 'sale' && !s.voided)
      .map((s) => new Date(s.tx.occurredAt).toISOString())
      .sort();
    return { ...profile, firstVisitAt: visits[0] ?? null, lastVisitAt: visits.at(-1) ?? null };
  }

  it('ends in the same profile whatever the order, with duplicates, returns and voids', () => {
    const arbSale = fc.record({
      at: fc.date({
        min: new Date('2020-01-01'),
        max: new Date('2030-01-01'),
        noInvalidDate: true,
      }),
      cents: fc.integer({ min: 1, max: 50_000 }),
      department: fc.constantFrom('DAIRY', 'MEAT'),
      returned: fc.integer({ min: 0, max: 100 }),
      voided: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(arbSale, { minLength: 1, maxLength: 6 }),
        fc.integer(),
        (sales, seed) => {
          const txs: PosTransaction[] = [];
          sales.forEach((s, i) => {
            txs.push(tx(`t${i}`, { occurredAt: s.at.toISOString() }, [[s.department, s.cents]]));
            const refund = Math.floor((s.cents * s.returned) / 100);
            if (refund > 0)
              txs.push(
                tx(`r${i}`, { type: 'return', originalPosTransactionId: `t${i}` }, [
                  [s.department, refund],
                ]),
              );
            if (s.voided) txs.push(voidOf(`v${i}`, `t${i}`));
          });
          const withDuplicates = [...txs, ...txs.slice(0, 2)];
          const shuffled = fc.sample(
            fc.shuffledSubarray(withDuplicates, { minLength: withDuplicates.length }),
            { seed, numRuns: 1 },
          )[0];
          expect(project(shuffled)).toEqual(project(txs));
        },
      ),
    );
  });
});
