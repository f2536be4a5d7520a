import fc from 'fast-check';
import { StoredTransaction, planBatchChanges, planProjection } from './project-transactions';
import {
  ProductSum,
  StoreSum,
  WeekSum,
  mergeVisitDays,
  sumProducts,
  sumStores,
  sumWeeks,
  sumsEffect,
  productSumsEffect,
} from './profile-sums';
import { PosTransaction, transactionKey } from './transaction';
import { weekStartOf } from './profile-facts';

function tx(
  id: string,
  overrides: Partial<PosTransaction> = {},
  lines: [string, number, number][] = [['sku-milk', 250, 1]],
): PosTransaction {
  const txLines = lines.map(([sku, amountCents, quantity]) => ({
    sku,
    department: sku === 'sku-beef' ? 'MEAT' : 'DAIRY',
    quantity,
    unitPriceCents: amountCents,
    amountCents,
  }));
  const totalCents = txLines.reduce((sum, l) => sum + l.amountCents, 0);
  return {
    posTransactionId: id,
    storeId: 'store-1',
    terminalId: 'lane-1',
    cashierId: 'c-1',
    businessDate: '2026-03-04',
    occurredAt: '2026-03-04T09:00:00+01:00',
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

describe('weekStartOf', () => {
  it.each([
    ['2026-03-02', '2026-03-02'], // a Monday
    ['2026-03-04', '2026-03-02'],
    ['2026-03-08', '2026-03-02'], // a Sunday
    ['2026-03-09', '2026-03-09'],
    ['2027-01-01', '2026-12-28'], // across a year
    ['2028-03-01', '2028-02-28'], // across a leap day
  ])('the week of %s starts on %s', (day, monday) => {
    expect(weekStartOf(day)).toBe(monday);
  });
});

describe('sumsEffect and productSumsEffect', () => {
  it.each<
    [string, PosTransaction, 1 | -1, Partial<WeekSum>, Partial<ProductSum>, Partial<StoreSum>]
  >([
    [
      'a sale adds spend, a visit, units and a purchase with its date',
      tx('s', {}, [['sku-milk', 250, 2]]),
      1,
      { spendCents: 250, visits: 1 },
      { spendCents: 250, unitsMilli: 2_000, purchases: 1, firstBoughtOn: '2026-03-04' },
      { spendCents: 250, visits: 1, lastVisitOn: '2026-03-04' },
    ],
    [
      'a voided sale takes it back, and dates are left to a recount',
      tx('s', {}, [['sku-milk', 250, 2]]),
      -1,
      { spendCents: -250, visits: -1 },
      { spendCents: -250, unitsMilli: -2_000, purchases: -1, firstBoughtOn: null },
      { spendCents: -250, visits: -1, lastVisitOn: null },
    ],
    [
      'a return takes spend and units back but is no visit and no purchase',
      tx('r', { type: 'return', originalPosTransactionId: 's' }, [['sku-milk', 125, 0.5]]),
      1,
      { spendCents: -125, visits: 0 },
      { spendCents: -125, unitsMilli: -500, purchases: 0, lastBoughtOn: null },
      { spendCents: -125, visits: 0, lastVisitOn: null },
    ],
    [
      'a voided return gives spend and units back',
      tx('r', { type: 'return', originalPosTransactionId: 's' }, [['sku-milk', 125, 0.5]]),
      -1,
      { spendCents: 125, visits: 0 },
      { spendCents: 125, unitsMilli: 500, purchases: 0 },
      { spendCents: 125, visits: 0 },
    ],
  ])('%s', (_name, t, sign, week, product, store) => {
    const effect = sumsEffect(t, sign, 'h1');
    expect(effect.week).toMatchObject({ shopperId: 'h1', weekStart: '2026-03-02', ...week });
    expect(productSumsEffect(t, sign, 'h1')).toEqual([
      expect.objectContaining({ sku: 'sku-milk', ...product }),
    ]);
    expect(effect.store).toMatchObject({ storeId: 'store-1', ...store });
  });

  it('counts a SKU on two lines of one sale as one purchase, with the units of both', () => {
    const t = tx('s', {}, [
      ['sku-milk', 250, 1],
      ['sku-milk', 250, 1.25],
    ]);
    expect(productSumsEffect(t, 1, 'h1')).toEqual([
      expect.objectContaining({ spendCents: 500, unitsMilli: 2_250, purchases: 1 }),
    ]);
  });
});

describe('sum*', () => {
  it('sums by household and key, widening first and last dates', () => {
    const a = sumsEffect(tx('a', { businessDate: '2026-03-02' }), 1, 'h1');
    const b = sumsEffect(tx('b', { businessDate: '2026-03-06' }), 1, 'h1');
    const c = sumsEffect(tx('c', { businessDate: '2026-03-10' }), 1, 'h2');
    expect(sumWeeks([a.week, b.week, c.week])).toEqual([
      { shopperId: 'h1', weekStart: '2026-03-02', spendCents: 500, visits: 2 },
      { shopperId: 'h2', weekStart: '2026-03-09', spendCents: 250, visits: 1 },
    ]);
    const products = (id: string, date: string) =>
      productSumsEffect(tx(id, { businessDate: date }), 1, 'h1');
    expect(
      sumProducts([...products('b', '2026-03-06'), ...products('a', '2026-03-02')])[0],
    ).toMatchObject({
      purchases: 2,
      firstBoughtOn: '2026-03-02',
      lastBoughtOn: '2026-03-06',
    });
    expect(sumStores([a.store, b.store])).toEqual([
      {
        shopperId: 'h1',
        storeId: 'store-1',
        visits: 2,
        spendCents: 500,
        lastVisitOn: '2026-03-06',
      },
    ]);
  });
});

describe('mergeVisitDays', () => {
  it.each([
    [[], ['2026-03-02'], ['2026-03-02']],
    [
      ['2026-03-04', '2026-03-02'],
      ['2026-03-03', '2026-03-04'],
      ['2026-03-04', '2026-03-03', '2026-03-02'],
    ],
  ])('%p with %p gives %p', (days, added, expected) => {
    expect(mergeVisitDays(days, added)).toEqual(expected);
  });

  it('keeps the latest 26 distinct days', () => {
    const days = Array.from({ length: 30 }, (_, i) => `2026-01-${String(i + 1).padStart(2, '0')}`);
    const merged = mergeVisitDays(days.slice(0, 15), days.slice(10));
    expect(merged).toHaveLength(26);
    expect(merged[0]).toBe('2026-01-30');
    expect(merged.at(-1)).toBe('2026-01-05');
  });
});

describe('the sums in any order', () => {
  // Simulates the projector's tables: sums added per batch; after a void, what is min/max based is
  // recounted from the stored transactions and rows that came back to zero are removed.
  function project(arrivals: PosTransaction[]) {
    const store = new Map<string, StoredTransaction>();
    const voids: PosTransaction[] = [];
    const weeks = new Map<string, WeekSum>();
    const products = new Map<string, ProductSum>();
    const stores = new Map<string, StoreSum>();
    let days: string[] = [];
    const standingSales = () =>
      [...store.values()].filter((s) => s.tx.type === 'sale' && !s.voided).map((s) => s.tx);
    for (const t of arrivals) {
      const key = transactionKey(t);
      if (store.has(key)) continue;
      store.set(key, { tx: t, voided: false });
      if (t.type === 'void') voids.push(t);
      const voidedEarlier = new Set(
        voids.filter((v) => v !== t).map((v) => `${v.storeId}:${v.originalPosTransactionId}`),
      );
      const plan = planProjection([t], store, voidedEarlier);
      for (const k of plan.voided)
        store.set(k, { ...(store.get(k) as StoredTransaction), voided: true });
      const changes = planBatchChanges(plan, () => 'h1', 1);
      for (const w of changes.weeks) {
        const k = w.weekStart;
        weeks.set(k, sumWeeks([...(weeks.has(k) ? [weeks.get(k) as WeekSum] : []), w])[0]);
      }
      for (const p of plan.effects.flatMap(({ tx, sign }) => productSumsEffect(tx, sign, 'h1'))) {
        const old = products.get(p.sku);
        products.set(p.sku, sumProducts(old ? [old, p] : [p])[0]);
      }
      for (const s of changes.stores) {
        const old = stores.get(s.storeId);
        stores.set(s.storeId, sumStores(old ? [old, s] : [s])[0]);
      }
      days = mergeVisitDays(days, changes.visitDays.get('h1') ?? []);
      if (changes.recount.shopperIds.length > 0) {
        days = mergeVisitDays(
          [],
          standingSales().map((s) => s.businessDate),
        );
      }
      const recounted = plan.effects
        .filter(({ sign }) => sign === -1)
        .flatMap(({ tx }) => tx.lines.map((l) => l.sku));
      for (const sku of new Set(recounted)) {
        const dates = standingSales()
          .filter((s) => s.lines.some((l) => l.sku === sku))
          .map((s) => s.businessDate)
          .sort();
        const p = products.get(sku) as ProductSum;
        if (p.spendCents === 0 && p.unitsMilli === 0 && p.purchases === 0) products.delete(sku);
        else
          products.set(sku, {
            ...p,
            firstBoughtOn: dates[0] ?? null,
            lastBoughtOn: dates.at(-1) ?? null,
          });
      }
      for (const { storeId } of changes.recount.stores) {
        const dates = standingSales()
          .filter((s) => s.storeId === storeId)
          .map((s) => s.businessDate)
          .sort();
        const s = stores.get(storeId) as StoreSum;
        if (s.spendCents === 0 && s.visits === 0) stores.delete(storeId);
        else stores.set(storeId, { ...s, lastVisitOn: dates.at(-1) ?? null });
      }
      for (const { weekStart } of changes.recount.weeks) {
        const w = weeks.get(weekStart) as WeekSum;
        if (w.spendCents === 0 && w.visits === 0) weeks.delete(weekStart);
      }
    }
    const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    return { weeks: sorted(weeks), products: sorted(products), stores: sorted(stores), days };
  }

  it('ends in the same sums whatever the order, voids before their sales included', () => {
    const arbSale = fc.record({
      day: fc.integer({ min: 1, max: 40 }),
      store: fc.constantFrom('store-1', 'store-2'),
      skus: fc.subarray(['sku-milk', 'sku-beef', 'sku-egg'], { minLength: 1 }),
      cents: fc.integer({ min: 1, max: 5_000 }),
      quantity: fc.constantFrom(1, 2, 0.125, 1.5),
      returned: fc.boolean(),
      voided: fc.boolean(),
      returnVoided: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(arbSale, { minLength: 1, maxLength: 6 }),
        fc.integer(),
        (sales, seed) => {
          const txs: PosTransaction[] = [];
          sales.forEach((s, i) => {
            const date = new Date(Date.UTC(2026, 2, s.day)).toISOString().slice(0, 10);
            const on = { storeId: s.store, businessDate: date, occurredAt: `${date}T10:00:00Z` };
            const lines = s.skus.map((sku): [string, number, number] => [sku, s.cents, s.quantity]);
            txs.push(tx(`t${i}`, on, lines));
            if (s.returned) {
              txs.push(
                tx(`r${i}`, { ...on, type: 'return', originalPosTransactionId: `t${i}` }, [
                  lines[0],
                ]),
              );
              if (s.returnVoided) txs.push({ ...voidOf(`rv${i}`, `r${i}`), storeId: s.store });
            }
            if (s.voided) txs.push({ ...voidOf(`v${i}`, `t${i}`), storeId: s.store });
          });
          const shuffled = fc.sample(fc.shuffledSubarray(txs, { minLength: txs.length }), {
            seed,
            numRuns: 1,
          })[0];
          expect(project([...shuffled, ...shuffled.slice(0, 2)])).toEqual(project(txs));
        },
      ),
    );
  });
});
