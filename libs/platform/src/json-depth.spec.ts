import { exceedsJsonDepth } from './json-depth';

describe('exceedsJsonDepth', () => {
  it.each([
    ['{}', 1, false],
    ['{}', 0, true],
    ['{"a":[1,{"b":[]}]}', 4, false],
    ['{"a":[1,{"b":[]}]}', 3, true],
    ['"[[[[["', 1, false],
    ['{"a":"\\"[[[["}', 1, false],
    ['{"a":"\\\\"}', 1, false],
    ['[1],[2],[3]', 1, false],
    ['['.repeat(10_000) + ']'.repeat(10_000), 64, true],
  ])('%s within %i: %s', (text, max, expected) => {
    expect(exceedsJsonDepth(text, max)).toBe(expected);
  });
});
