import { canonicalJson } from './idempotency-key';

describe('canonicalJson', () => {
  it.each([
    [
      { b: 1, a: [{ d: 2, c: 3 }] },
      { a: [{ c: 3, d: 2 }], b: 1 },
    ],
    [{ a: 'x', b: undefined }, { a: 'x' }],
  ])('writes %j and %j alike', (one, other) => {
    expect(canonicalJson(one)).toBe(canonicalJson(other));
  });

  it('keeps the order of lists', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });
});
