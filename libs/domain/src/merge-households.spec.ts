import {
  HouseholdAlreadyMergedError,
  MergeIntoItselfError,
  MergeParty,
  MergeRefusedError,
  decideMerge,
} from './merge-households';

const party = (id: string, overrides: Partial<MergeParty> = {}): MergeParty => ({
  id,
  registered: true,
  mergedInto: null,
  erased: false,
  ...overrides,
});

describe('decideMerge', () => {
  it.each<[string, MergeParty, MergeParty, 'merge' | 'done' | (new (...a: never[]) => Error)]>([
    ['two live households', party('s'), party('t'), 'merge'],
    ['an unregistered source', party('s', { registered: false }), party('t'), 'merge'],
    ['the same merge again', party('s', { mergedInto: 't' }), party('t'), 'done'],
    ['into itself', party('s'), party('s'), MergeIntoItselfError],
    [
      'a source merged elsewhere',
      party('s', { mergedInto: 'x' }),
      party('t'),
      HouseholdAlreadyMergedError,
    ],
    ['an erased source', party('s', { erased: true }), party('t'), MergeRefusedError],
    ['into a merged target', party('s'), party('t', { mergedInto: 'x' }), MergeRefusedError],
    ['into an erased target', party('s'), party('t', { erased: true }), MergeRefusedError],
  ])('%s', (_name, source, target, expected) => {
    if (typeof expected === 'string') expect(decideMerge(source, target)).toBe(expected);
    else expect(() => decideMerge(source, target)).toThrow(expected);
  });
});
