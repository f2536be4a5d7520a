import { parseTierChange } from './household-tiers';

const HOUSEHOLD = '3d725522-795e-5c28-ba34-fabd0f06bd3f';
const message = (value: unknown) => Buffer.from(JSON.stringify(value));
const change = {
  eventId: 'e1',
  householdId: HOUSEHOLD,
  factsAsOf: '2026-11-20',
  facts: { tier: 'gold', tierSince: '2026-11-01', spend4wCents: 100 },
};

describe('parseTierChange', () => {
  it("keeps the household's tier, whatever else the change carries", () => {
    expect(parseTierChange(message(change))).toEqual({
      householdId: HOUSEHOLD,
      factsAsOf: '2026-11-20',
      tier: 'gold',
      tierSince: '2026-11-01',
    });
    expect(
      parseTierChange(message({ ...change, facts: { tier: 'bronze', tierSince: null } })).tierSince,
    ).toBeNull();
  });

  it.each<[string, unknown, string]>([
    ['not JSON', 'nope', 'not JSON'],
    ['no household', { ...change, householdId: 'x' }, 'householdId'],
    ['no date', { ...change, factsAsOf: '20 Nov' }, 'factsAsOf'],
    ['an unknown tier', { ...change, facts: { tier: 'platinum' } }, 'facts.tier'],
    ['no facts', { ...change, facts: undefined }, 'facts.tier'],
    ['a bad tier date', { ...change, facts: { tier: 'gold', tierSince: 5 } }, 'facts.tierSince'],
  ])('refuses %s as poison', (_name, value, field) => {
    const raw = typeof value === 'string' ? Buffer.from(value) : message(value);
    expect(() => parseTierChange(raw)).toThrow(field);
  });
});
