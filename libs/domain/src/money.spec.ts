import fc from 'fast-check';
import { percentOf, prorate, roundCents } from './money';

describe('roundCents', () => {
  it.each([
    [0.5, 1],
    [1.4999, 1],
    [2.5, 3],
    [-2.5, -3],
    [-0.4, -0],
  ])('rounds %p to %p', (value, expected) => {
    expect(roundCents(value)).toBe(expected);
  });
});

describe('percentOf', () => {
  it.each([
    [1000, 10, 100],
    [999, 10, 100],
    [994, 10, 99],
    [5, 50, 3],
    [0, 25, 0],
  ])('%p cents at %p%% is %p', (amount, percent, expected) => {
    expect(percentOf(amount, percent)).toBe(expected);
  });
});

describe('prorate', () => {
  it.each([
    { total: 100, weights: [1, 1], expected: [50, 50] },
    { total: 100, weights: [1, 1, 1], expected: [34, 33, 33] },
    { total: 10, weights: [300, 100], expected: [8, 2] },
    { total: 1, weights: [5, 5], expected: [1, 0] },
    { total: 0, weights: [5, 5], expected: [0, 0] },
    { total: 7, weights: [0, 0], expected: [0, 0] },
  ])('splits $total over $weights as $expected', ({ total, weights, expected }) => {
    expect(prorate(total, weights)).toEqual(expected);
  });

  it('always adds up to the total and never exceeds a weight', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 30 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (weights, share) => {
          const sum = weights.reduce((a, b) => a + b, 0);
          const total = Math.floor(sum * share);
          const parts = prorate(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          parts.forEach((part, i) => expect(part).toBeLessThanOrEqual(weights[i]));
          parts.forEach((part) => expect(Number.isInteger(part) && part >= 0).toBe(true));
        },
      ),
    );
  });
});
