import { ndcgAtK, recallAtK } from './ranking-metrics';

describe('recall@k and NDCG@k', () => {
  const bought = new Set(['b', 'd', 'e']);

  it.each<[string[], number, number, number]>([
    // ranked, k -> recall, ndcg
    [['a', 'b', 'c', 'd'], 2, 1 / 3, 1 / Math.log2(3) / (1 + 1 / Math.log2(3))],
    [['b', 'd', 'e'], 3, 1, 1],
    [['a', 'c'], 2, 0, 0],
    [['e', 'a', 'b'], 10, 2 / 3, (1 + 1 / 2) / (1 + 1 / Math.log2(3) + 1 / 2)],
  ])('%j at %i: recall %f, ndcg %f', (ranked, k, recall, ndcg) => {
    expect(recallAtK(ranked, bought, k)).toBeCloseTo(recall);
    expect(ndcgAtK(ranked, bought, k)).toBeCloseTo(ndcg);
  });

  it('scores nothing bought as 0', () => {
    expect(recallAtK(['a'], new Set(), 10)).toBe(0);
    expect(ndcgAtK(['a'], new Set(), 10)).toBe(0);
  });
});
