import { NextPurchaseOptions, predictNextPurchases } from './next-purchases';

const options: NextPurchaseOptions = { k: 3, halfLifeDays: 60, dueWeight: 1 };
const bought = (item: string, ...days: number[]) => days.map((day) => ({ item, day }));

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

  it('suggests nothing for a household with no history and no population', () => {
    expect(predictNextPurchases([], 100, options)).toEqual([]);
  });
});
