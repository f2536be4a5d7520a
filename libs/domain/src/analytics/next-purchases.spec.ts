import fc from 'fast-check';
import {
  NextPurchaseOptions,
  Purchase,
  predictNextPurchases as predictFromHistories,
  rollUpHistories,
  summarisePurchases,
} from './next-purchases';

const options: NextPurchaseOptions = { k: 3, halfLifeDays: 60, dueWeight: 1 };
const bought = (item: string, ...days: number[]) => days.map((day) => ({ item, day }));
const predictNextPurchases = (purchases: Purchase[], today: number, options: NextPurchaseOptions) =>
  predictFromHistories(summarisePurchases(purchases), today, options);

describe('predictNextPurchases', () => {
  it('scores by time-decayed frequency: recent purchases weigh more', () => {
    const predicted = predictNextPurchases([...bought('old', 0), ...bought('recent', 100)], 100, {
      ...options,
      dueWeight: 0,
    });
    expect(predicted.map((p) => [p.item, p.score])).toEqual([
      ['recent', 1],
      ['old', 0.5 ** (100 / 60)],
    ]);
  });

  it('lifts an item on its due day by its own cadence, and says why', () => {
    // Milk every 7 days, last 7 days ago (due today); coffee every 7 days, last bought today.
    const [first, second] = predictNextPurchases(
      [...bought('milk', 79, 86, 93), ...bought('coffee', 86, 93, 100)],
      100,
      options,
    );
    expect(first.item).toBe('milk');
    expect(first.reasons).toEqual(['bought 3 times', 'bought every 7 days', 'due since 0 days']);
    expect(second.reasons).toEqual(['bought 3 times', 'bought every 7 days', 'due in 7 days']);
    const decayed = [79, 86, 93].reduce((s, d) => s + 0.5 ** ((100 - d) / 60), 0);
    expect(first.score).toBeCloseTo(decayed * 2);
  });

  const popularity = new Map([
    ['bread', 0.2],
    ['bananas', 0.8],
    ['milk', 0.4],
    ['eggs', 0.1],
  ]);

  it('counts a day once, ignores the future, and fills the list with popular items last', () => {
    const predicted = predictNextPurchases(
      [...bought('bread', 90, 90), ...bought('later', 120)],
      100,
      { ...options, popularity },
    );
    expect(predicted).toEqual([
      { item: 'bread', score: 0.5 ** (10 / 60), reasons: ['bought 1 time'] },
      { item: 'bananas', score: 0, reasons: ['popular with shoppers'] },
      { item: 'milk', score: 0, reasons: ['popular with shoppers'] },
    ]);
  });

  it("adds the population's prior, relative to the most bought item, times its weight", () => {
    const predicted = predictNextPurchases(bought('bread', 100), 100, {
      ...options,
      popularity,
      popularityWeight: 2,
    });
    expect(predicted.map((p) => [p.item, p.score])).toEqual([
      ['bananas', 2],
      ['bread', 1 + 2 * (0.2 / 0.8)],
      ['milk', 2 * (0.4 / 0.8)],
    ]);
  });

  const association = (antecedent: string, consequent: string, confidence: number) => ({
    antecedent,
    consequent,
    together: 1,
    support: 0.1,
    confidence,
    lift: 2,
  });
  const associations = new Map([
    ['pasta', [association('pasta', 'sauce', 0.6), association('pasta', 'cheese', 0.3)]],
    ['wine', [association('wine', 'cheese', 0.5)]],
    ['bread', [association('bread', 'butter', 0.9)]],
  ]);

  it('adds what goes with the last visit: each consequent once, by its most confident antecedent', () => {
    const predicted = predictNextPurchases(
      [
        ...bought('bread', 50),
        ...bought('pasta', 100),
        ...bought('wine', 100),
        ...bought('cheese', 40),
      ],
      100,
      { ...options, k: 10, dueWeight: 0, associations, associationWeight: 2 },
    );
    const byItem = new Map(predicted.map((p) => [p.item, p]));
    // Butter goes with bread, bought before the last visit: not suggested.
    expect(byItem.has('butter')).toBe(false);
    expect(byItem.get('sauce')).toEqual({
      item: 'sauce',
      score: 2 * 0.6,
      reasons: ['often bought with pasta'],
    });
    expect(byItem.get('cheese')).toEqual({
      item: 'cheese',
      score: 0.5 ** (60 / 60) + 2 * 0.5,
      reasons: ['bought 1 time', 'often bought with wine'],
    });
  });

  it('leaves associations out at weight 0', () => {
    const predicted = predictNextPurchases(bought('pasta', 100), 100, {
      ...options,
      associations,
    });
    expect(predicted.map((p) => p.item)).toEqual(['pasta']);
  });

  it('suggests nothing for a household with no history and no population', () => {
    expect(predictNextPurchases([], 100, options)).toEqual([]);
  });

  it('gives at most k distinct items, best first, each with a reason, whatever the history', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f'];
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ item: fc.constantFrom(...items), day: fc.integer({ min: 0, max: 100 }) }),
        ),
        fc.integer({ min: 1, max: 8 }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (purchases, k, weight) => {
          const predicted = predictNextPurchases(purchases, 100, {
            ...options,
            k,
            popularity,
            popularityWeight: weight,
            associations,
            associationWeight: weight,
          });
          expect(predicted.length).toBeLessThanOrEqual(k);
          expect(new Set(predicted.map((p) => p.item)).size).toBe(predicted.length);
          predicted
            .slice(1)
            .forEach((p, i) => expect(p.score).toBeLessThanOrEqual(predicted[i].score));
          predicted.forEach((p) => expect(p.reasons.length).toBeGreaterThan(0));
          // Every item bought or popular is a candidate: never fewer than k while there are k.
          const known = new Set([...purchases.map((p) => p.item), ...popularity.keys()]);
          expect(predicted.length).toBeGreaterThanOrEqual(Math.min(k, known.size));
        },
      ),
    );
  });

  it('rolls product histories up to their category: purchases summed, first and last of any', () => {
    const category = (sku: string) => (sku.startsWith('milk') ? 'MILK' : 'BREAD');
    expect(
      rollUpHistories(
        [
          { item: 'milk-1', purchases: 3, firstDay: 10, lastDay: 30 },
          { item: 'bread-1', purchases: 1, firstDay: 20, lastDay: 20 },
          { item: 'milk-2', purchases: 2, firstDay: 5, lastDay: 25 },
        ],
        category,
      ),
    ).toEqual([
      { item: 'MILK', purchases: 5, firstDay: 5, lastDay: 30 },
      { item: 'BREAD', purchases: 1, firstDay: 20, lastDay: 20 },
    ]);
  });
});
